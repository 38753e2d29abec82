"""Lambda functions and their permissions: roles, tracing, timeouts, runtimes, secrets."""

from __future__ import annotations

import re
from collections import defaultdict

from policy.core import Finding, Resource, Stack, items, resource_rule, stack_rule
from policy.rules.common import FUNCTION, PERMISSION, api_functions, function_of

PREFIX = "MT-LAMBDA"

# Principals whose invocations are asynchronous: a failed event is lost without a DLQ or destination.
ASYNC_PRINCIPALS = ("s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com",
                    "logs.amazonaws.com", "ses.amazonaws.com", "iot.amazonaws.com", "cognito-idp.amazonaws.com")
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I)
REFERENCE_KEY = re.compile(r"_(ARN|NAME|ID|PARAMETER)$", re.I)  # DB_SECRET_ARN names a secret, it isn't one
REFERENCE_VALUE = re.compile(r"^(arn:|/|\{\{resolve:)")


@stack_rule("MT-LAMBDA-1", description="Each function has its own execution role",
            remediation="Create one aws.iam.Role per function (multitier.logic.Function does).")
def own_role(stack: Stack):
    by_role = defaultdict(list)
    for function in stack.of_type(FUNCTION):
        by_role[function.get("role")].append(function)
    for role, functions in by_role.items():
        if len(functions) > 1:
            for function in functions:
                yield Finding(function, f"shares role {role} with {len(functions) - 1} other function(s)")


@resource_rule("MT-LAMBDA-2", FUNCTION, severity="medium", description="Functions trace with X-Ray (Active)",
               remediation="Set tracing_config={'mode': 'Active'}.")
def xray_active(function: Resource):
    if function.get("tracingConfig", "mode") != "Active":
        yield f"tracing mode is {function.get('tracingConfig', 'mode')!r}"


@resource_rule("MT-LAMBDA-3", FUNCTION, severity="medium", description="Functions set an explicit timeout and memory",
               remediation="Set timeout and memory_size (the defaults, 3 s and 128 MB, are rarely what you want).")
def explicit_limits(function: Resource):
    for key in ("timeout", "memorySize"):
        if function.get(key) is None:
            yield f"{key} is not set"


@stack_rule("MT-LAMBDA-4", description="Functions behind API Gateway time out before it does (< 29 s)",
            remediation="Set timeout to at most 28 s on every function API Gateway invokes.")
def api_timeout(stack: Stack):
    for function in api_functions(stack):
        timeout = function.get("timeout")
        if not isinstance(timeout, (int, float)) or timeout >= 29:
            yield Finding(function, f"timeout {timeout!r} s: API Gateway gives up at 29 s")


@resource_rule("MT-LAMBDA-5", FUNCTION, severity="medium", description="Functions run the latest runtime of their language",
               remediation="Set runtime to the latest version (see params.latest in the rule's config).",
               params={"latest": ["python3.14", "nodejs24.x"]})
def latest_runtime(function: Resource, params):
    runtime = str(function.get("runtime") or "")
    family = re.match(r"[a-z]+", runtime)
    latest = [r for r in params["latest"] if family and re.match(r"[a-z]+", r).group() == family.group()]
    if latest and runtime not in latest:
        yield f"runtime {runtime} is not the latest ({latest[0]})"


@resource_rule("MT-LAMBDA-6", FUNCTION, severity="low", description="Functions run on arm64 (Graviton)",
               remediation="Set architectures=['arm64'] (and build the dependency layer for arm64).")
def arm64(function: Resource):
    if items(function.get("architectures")) != ["arm64"]:
        yield f"architectures are {items(function.get('architectures')) or ['x86_64 (default)']}"


@stack_rule("MT-LAMBDA-7", description="Asynchronously invoked functions keep failed events (DLQ or destination)",
            remediation="Set dead_letter_config or an aws.lambda_.FunctionEventInvokeConfig with on_failure.")
def async_failures(stack: Stack):
    handled = {urn for c in stack.of_type(EVENT_INVOKE_CONFIG)
               if c.get("destinationConfig", "onFailure", "destination") for urn in c.dependencies}
    for permission in stack.of_type(PERMISSION):
        function = function_of(stack, permission)
        if permission.get("principal") in ASYNC_PRINCIPALS and function is not None and not (
                function.get("deadLetterConfig", "targetArn") or function.urn in handled):
            yield Finding(function, f"invoked asynchronously by {permission.get('principal')} with no DLQ "
                                    f"or on-failure destination")


@resource_rule("MT-LAMBDA-8", FUNCTION, severity="medium",
               description="Reserved concurrency, where set, lets the function run (>= 1)",
               remediation="Remove reserved_concurrent_executions or set it to at least 1 (0 throttles every call).")
def reserved_concurrency(function: Resource):
    value = function.get("reservedConcurrentExecutions")
    if value is not None and value != -1 and value < 1:
        yield f"reserved concurrency {value} throttles every invocation"


@resource_rule("MT-LAMBDA-9", FUNCTION, severity="critical", description="No secrets in environment variables",
               remediation="Keep secrets in Secrets Manager; pass the secret's ARN or name, read it at run time.")
def no_env_secrets(function: Resource):
    for key, value in (function.get("environment", "variables") or {}).items():
        if SECRET_NAME.search(key) and not REFERENCE_KEY.search(key) and not REFERENCE_VALUE.match(str(value)):
            yield f"environment variable {key} looks like a secret value"


@resource_rule("MT-LAMBDA-10", PERMISSION, description="Invoke permissions name a principal and scope it",
               remediation="Name one service principal and set source_arn (or source_account).")
def permission_scoped(permission: Resource):
    principal = permission.get("principal")
    if principal in (None, "*"):
        yield "principal is '*'"
    elif str(principal).endswith(".amazonaws.com") and not (permission.get("sourceArn")
                                                             or permission.get("sourceAccount")):
        yield f"{principal} may invoke the function from any account (no source_arn or source_account)"
