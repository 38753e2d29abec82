"""CodeDeploy's hook for a Lambda release: before (and after) traffic moves, the new version must answer.

CodeDeploy invokes this with ``DeploymentId`` and ``LifecycleEventHookExecutionId`` in the
``BeforeAllowTraffic`` and ``AfterAllowTraffic`` phases. The deployment's AppSpec names the
function and its target version; this invokes that version with the request its
``RELEASE_CHECKS`` entry holds (a GET of one of its own routes, as API Gateway sends it) and
reports ``Succeeded`` when the version answers it without a crash or a 5xx, ``Failed``
otherwise, which stops the deployment and rolls the alias back. A deployment it has no check
for (or cannot read) fails: a release is never waved through unchecked.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from release_check_settings import get_settings
from shared import aws
from shared.observability import logger


def target_of(deployment_id: str) -> tuple[str, str]:
    """(function name, target version) from the deployment's AppSpec."""
    revision = aws.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]["revision"]
    spec = json.loads(revision["appSpecContent"]["content"])
    properties = next(iter(spec["Resources"][0].values()))["Properties"]
    return properties["Name"], str(properties["TargetVersion"])


def answers(response: dict[str, Any]) -> tuple[bool, str]:
    """Whether an Invoke response is a proxy answer below 500, and what it was."""
    if response.get("FunctionError"):
        return False, f"{response['FunctionError']} error: {response['Payload'].read()[:500]!r}"
    payload = json.loads(response["Payload"].read() or b"null")
    status = payload.get("statusCode") if isinstance(payload, dict) else None
    if not isinstance(status, int):
        return False, f"not a proxy response: {str(payload)[:200]}"
    return status < 500, f"status {status}"


def check(deployment_id: str) -> tuple[bool, str]:
    function, version = target_of(deployment_id)
    event = get_settings().checks.get(function)
    if event is None:
        return False, f"no check declared for {function}"
    response = aws.client("lambda").invoke(FunctionName=function, Qualifier=version, Payload=json.dumps(event))
    ok, what = answers(response)
    return ok, f"{function} version {version} answered {event.get('httpMethod')} {event.get('path')}: {what}"


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    deployment_id, execution_id = event["DeploymentId"], event["LifecycleEventHookExecutionId"]
    try:
        ok, why = check(deployment_id)
    except Exception as error:  # noqa: BLE001 (any failure to check is a failed check, reported to CodeDeploy)
        ok, why = False, f"the check could not run: {error!r}"
    logger.info("release check", extra={"deployment_id": deployment_id, "passed": ok, "detail": why})
    aws.client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id,
        status="Succeeded" if ok else "Failed")
