"""The release check: what CodeDeploy's hook asks a new function version before and after it takes traffic.

The hook (``functions/release_check``) invokes the version being released with a request of
one of its own routes, as API Gateway would send it, and passes the release when the answer is a
proxy response below 500. The request is a ``GET`` of a path without parameters served through
a Lambda proxy integration (``GET /shows``, ``GET /info``): one any caller may send and that
changes nothing. A function with no such route (an authorizer, a write-only or mapped one) is
released without the hook, judged by its alarms alone. Local mode's release rehearsal asks the
same question of the same request (``local/release``).
"""

from __future__ import annotations

from typing import Any, Mapping

from multitier._iam import Statement
from multitier._logic.function import Function
from multitier._logic.integrations import LambdaProxy
from multitier._logic.link import Link
from multitier._logic.rest_api import RestApi
from multitier._release.function_release import deployment_group_arn

HOOK_TIMEOUT_SECONDS = 60  # a cold start of the checked version (in a VPC) and its answer
USER_AGENT = "multitier-release-check"


def check_event(api: RestApi, function: Function) -> dict[str, Any] | None:
    """The proxy event of the first parameterless GET route of ``api`` that ``function`` answers, if any."""
    route = next((r for r in api.routes if r.function is function and r.method.upper() == "GET"
                  and "{" not in r.path and isinstance(r.integration, LambdaProxy)), None)
    if route is None:
        return None
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    return {"resource": route.path, "path": route.path, "httpMethod": "GET", "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
            "requestContext": {"resourcePath": route.path, "httpMethod": "GET", "path": route.path,
                               "stage": "release-check", "requestId": "release-check",
                               "identity": {"sourceIp": "127.0.0.1", "userAgent": USER_AGENT}},
            "body": None, "isBase64Encoded": False}


def check_link(checks: Mapping[Function, Any]) -> Link:
    """The hook may invoke exactly the versions being released and report to their deployment groups."""
    return Link(statements=[
        Statement(["lambda:InvokeFunction"], [f.function.qualified_arn for f in checks], "InvokeTheNewVersions"),
        Statement(["codedeploy:GetDeployment", "codedeploy:PutLifecycleEventHookExecutionStatus"],
                  [f.arn.apply(deployment_group_arn) for f in checks], "ReportToCodeDeploy"),
    ])


def passes(payload: Any) -> bool:
    """The hook's verdict on a version's answer: a proxy response below 500."""
    status = payload.get("statusCode") if isinstance(payload, dict) else None
    return isinstance(status, int) and status < 500

