"""Lambda functions and what invokes them: roles, tracing, limits, runtimes, secrets, failures, URLs."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterator

from pulumi_policy.proxy import UnknownValueError

from policy.core import Finding, Resource, Stack, get, items, resource_rule, stack_rule
from policy.rules.archives import unzipped_bytes
from policy.rules.common import (FUNCTION, PERMISSION, REST_API, STAGE, api_functions, function_of, operations,
                                 parse_json)
from policy.rules.credentials import credential

PREFIX = "MT-LAMBDA"

# Principals whose invocations are asynchronous: a failed event is lost without a DLQ or destination.
ASYNC_PRINCIPALS = ("s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com",
                    "logs.amazonaws.com", "ses.amazonaws.com", "iot.amazonaws.com", "cognito-idp.amazonaws.com",
                    "config.amazonaws.com", "codecommit.amazonaws.com")
# Resources that invoke a function asynchronously, and where they name it.
ASYNC_SOURCES = {"aws:sns/topicSubscription:TopicSubscription": ("endpoint",),
                 "aws:s3/bucketNotification:BucketNotification": ("lambdaFunctions",),
                 "aws:cloudwatch/eventTarget:EventTarget": ("arn",),
                 "aws:scheduler/schedule:Schedule": ("target",)}
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
LAYER = "aws:lambda/layerVersion:LayerVersion"
# Lambda's quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_LAYERS = 5
MAX_ENVIRONMENT_BYTES = 4 * 1024
MAX_UNZIPPED_BYTES = 262_144_000  # 250 MB: function code and all its layers, unzipped
API_GATEWAY_TIMEOUT_S = 29


def _known(mapping) -> Iterator[tuple[str, object]]:
    """(key, value) of a map, leaving out values unknown during preview."""
    for key in list(mapping or {}):
        try:
            yield key, mapping[key]
        except UnknownValueError:
            continue


def _variables(function: Resource) -> dict[str, object]:
    return dict(_known(function.get("environment", "variables")))


@stack_rule("MT-LAMBDA-1", description="Each function has its own execution role",
            remediation="Create one aws.iam.Role per function (multitier.Function does).")
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


def _integration_timeouts(stack: Stack, function: Resource) -> list[float]:
    """The timeouts (s) of the REST integrations that invoke ``function``: its name in their URI, directly or
    through a stage variable of one of the API's stages."""
    name = re.escape(function.physical_name()[0])
    found = []
    for api in stack.of_type(REST_API):
        stages = [dict(_known(s.get("variables"))) for s in stack.of_type(STAGE) if api.urn in s.dependencies]
        for _, _, operation, _ in operations(parse_json(api.get("body"))):
            integration = get(operation, "x-amazon-apigateway-integration") or {}
            uri = str(integration.get("uri") or "")
            uris = [re.sub(r"\$\{stageVariables\.(\w+)\}", lambda m: str(v.get(m[1], "")), uri) for v in stages]
            if any(re.search(rf":function:{name}(?::|/|$)", u) for u in [uri, *uris]):
                found.append(float(integration.get("timeoutInMillis") or API_GATEWAY_TIMEOUT_S * 1000) / 1000)
    return found


@stack_rule("MT-LAMBDA-4", description="Functions behind API Gateway time out before it does: under 29 s and "
                                       "within their integrations' timeouts",
            remediation="Set timeout to at most 28 s on every function API Gateway invokes, and no longer than "
                        "the timeoutInMillis of its integrations (the gateway answers 504 while the function runs on).")
def api_timeout(stack: Stack):
    for function in api_functions(stack):
        timeout = function.get("timeout", default=3)  # Lambda's default
        if not isinstance(timeout, (int, float)) or timeout >= API_GATEWAY_TIMEOUT_S:
            yield Finding(function, f"timeout {timeout!r} s: API Gateway gives up at {API_GATEWAY_TIMEOUT_S} s")
            continue
        shorter = sorted(t for t in _integration_timeouts(stack, function) if t < timeout)
        if shorter:
            yield Finding(function, f"timeout {timeout:g} s outlasts its integration's {shorter[0]:g} s")


def _version(runtime: str) -> tuple[str, tuple[int, ...]]:
    """A runtime as its family and version: python3.14 -> ("python", (3, 14)), nodejs24.x -> ("nodejs", (24,)),
    dotnetcore3.1 -> ("dotnet", (3, 1)), provided.al2 -> ("provided", (2,)); no number (nodejs, provided):
    the family's first version, ()."""
    found = re.match(r"([a-z]+?)(?:core)?(\d+(?:\.\d+)*)?(?:\.|$|_)", runtime.replace("provided.al", "provided"))
    if not found:
        return runtime, ()
    return found.group(1), tuple(int(p) for p in (found.group(2) or "").split(".") if p)


def _older(runtime: str, versions: list[str]) -> str | None:
    """The runtime of ``versions`` of the same family that ``runtime`` is older than, if any."""
    family, version = _version(runtime)
    for other in versions:
        other_family, other_version = _version(other)
        if family == other_family and version < other_version:
            return other
    return None


@resource_rule("MT-LAMBDA-5", FUNCTION,
               description="Functions run a runtime Lambda still supports (by family and version: a newer one than "
                           "the pack knows passes)",
               remediation="Move to a supported runtime of the language (params.oldest lists the oldest supported "
                           "per family: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).",
               params={"oldest": ["python3.10", "nodejs20.x", "java11", "dotnet8", "ruby3.3", "provided.al2"]})
def supported_runtime(function: Resource, params):
    runtime = str(function.get("runtime") or "")
    if runtime.startswith("go1"):
        yield f"runtime {runtime} is retired: build Go for provided.al2023"
    oldest = _older(runtime, params["oldest"]) if runtime else None  # no runtime: a container image
    if oldest:
        yield f"runtime {runtime} is older than the oldest Lambda still supports ({oldest})"


@resource_rule("MT-LAMBDA-6", FUNCTION, severity="low", level="advisory",
               description="Functions run on arm64 (Graviton): cheaper per GB-second; a trade-off where a "
                           "dependency ships x86_64 only",
               remediation="Set architectures=['arm64'] (and build the dependency layer for arm64).")
def arm64(function: Resource):
    if items(function.get("architectures")) != ["arm64"]:
        yield f"architectures are {items(function.get('architectures')) or ['x86_64 (default)']}"


def _async_invoked(stack: Stack) -> Iterator[tuple[Resource, str]]:
    """(function, what invokes it asynchronously)."""
    for permission in stack.of_type(PERMISSION):
        function = function_of(stack, permission)
        if permission.get("principal") in ASYNC_PRINCIPALS and function is not None:
            yield function, str(permission.get("principal"))
    for source in stack.of_type(*ASYNC_SOURCES):
        if source.type.endswith("TopicSubscription") and source.get("protocol") != "lambda":
            continue
        for function in stack.dependencies_of(source, FUNCTION):
            yield function, source.name


@stack_rule("MT-LAMBDA-7", description="Asynchronously invoked functions keep failed events (DLQ or destination)",
            remediation="Set dead_letter_config or an aws.lambda_.FunctionEventInvokeConfig with on_failure.")
def async_failures(stack: Stack):
    handled = {urn for c in stack.of_type(EVENT_INVOKE_CONFIG)
               if c.get("destinationConfig", "onFailure", "destination") for urn in c.dependencies}
    seen = set()
    for function, invoker in _async_invoked(stack):
        if function.urn not in seen and not (function.get("deadLetterConfig", "targetArn") or function.urn in handled):
            seen.add(function.urn)
            yield Finding(function, f"invoked asynchronously by {invoker} with no DLQ or on-failure destination")


@resource_rule("MT-LAMBDA-8", FUNCTION, severity="medium",
               description="Reserved concurrency, where set, lets the function run (>= 1)",
               remediation="Remove reserved_concurrent_executions or set it to at least 1 (0 throttles every call).")
def reserved_concurrency(function: Resource):
    value = function.get("reservedConcurrentExecutions")
    if value is not None and value != -1 and value < 1:
        yield f"reserved concurrency {value} throttles every invocation"


@resource_rule("MT-LAMBDA-9", FUNCTION, severity="critical",
               description="No credentials in environment variables (known token formats, passwords in URLs and "
                           "connection strings, high-entropy values)",
               remediation="Keep secrets in Secrets Manager; pass the secret's ARN or name, read it at run time.")
def no_env_secrets(function: Resource):
    for key, value in sorted(_variables(function).items()):
        kind = credential(key, value)
        if kind:
            yield f"environment variable {key} holds {kind}"


@resource_rule("MT-LAMBDA-10", PERMISSION, description="Invoke permissions name a principal and scope it",
               remediation="Name one service principal and set source_arn (or source_account); never '*' without "
                           "principal_org_id (a function URL with auth NONE is public).")
def permission_scoped(permission: Resource):
    principal = permission.get("principal")
    if principal in (None, "*") and not permission.get("principalOrgId"):
        yield "principal is '*'" + (" (a public function URL)" if permission.get("functionUrlAuthType") == "NONE"
                                    else "")
    elif str(principal).endswith(".amazonaws.com") and not (permission.get("sourceArn")
                                                             or permission.get("sourceAccount")):
        yield f"{principal} may invoke the function from any account (no source_arn or source_account)"


@resource_rule("MT-LAMBDA-11", FUNCTION_URL, severity="critical",
               description="Function URLs require IAM auth and allow no credentialed requests from any origin",
               remediation="Set authorization_type='AWS_IAM' (or serve the function through API Gateway), and list "
                           "the origins when allow_credentials is on.")
def function_url(url: Resource):
    if url.get("authorizationType") != "AWS_IAM":
        yield f"authorization type {url.get('authorizationType')!r}: anyone with the URL invokes the function"
    if "*" in items(url.get("cors", "allowOrigins")) and url.get("cors", "allowCredentials"):
        yield "CORS allows credentialed requests from any origin"


@resource_rule("MT-LAMBDA-12", FUNCTION, kind="limits", description="Functions attach at most 5 layers",
               remediation="Merge dependency groups into fewer layers (Lambda refuses a sixth).")
def layer_count(function: Resource):
    layers = items(function.get("layers"))
    if len(layers) > MAX_LAYERS:
        yield f"{len(layers)} layers; Lambda allows {MAX_LAYERS}"


@resource_rule("MT-LAMBDA-13", FUNCTION, kind="limits", description="Environment variables fit Lambda's 4 KB",
               remediation="Move large values to SSM Parameter Store, S3 or the package (Lambda refuses more than "
                           "4 KB of keys and values).")
def environment_size(function: Resource):
    size = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in _variables(function).items())
    if size > MAX_ENVIRONMENT_BYTES:
        yield f"environment variables take {size:,} bytes; Lambda allows {MAX_ENVIRONMENT_BYTES:,}"


def _layer_sizes(stack: Stack) -> dict[str, int | None]:
    """Unzipped size of each layer of the stack, by its name as it appears in a layer version ARN."""
    return {f":layer:{layer.get('layerName')}:": unzipped_bytes(layer.get("code")) for layer in stack.of_type(LAYER)}


@stack_rule("MT-LAMBDA-14", kind="limits",
            description="Function code and its layers fit Lambda's 250 MB unzipped (measured from the archives)",
            remediation="Move what the function does not import out of its archive and layers, share fewer layers, "
                        "or deploy a container image (up to 10 GB).")
def unzipped_size(stack: Stack):
    layers = _layer_sizes(stack)
    for function in stack.of_type(FUNCTION):
        code = unzipped_bytes(function.get("code"))
        if code is None:
            continue
        attached = [size for arn in items(function.get("layers")) for name, size in layers.items()
                    if name in str(arn) and size is not None]
        total = code + sum(attached)
        if total > MAX_UNZIPPED_BYTES:
            yield Finding(function, f"code and {len(attached)} layer(s) are {total / 1e6:,.1f} MB unzipped; Lambda "
                                    f"allows {MAX_UNZIPPED_BYTES / 1e6:,.1f} MB")


@stack_rule("MT-LAMBDA-15", description="Event source mappings keep failed batches (on-failure destination or "
                                        "the queue's redrive policy)",
            remediation="Set destination_config.on_failure on stream and Kafka mappings; give an SQS source queue "
                        "a redrive_policy to a dead-letter queue.")
def mapping_failures(stack: Stack):
    for mapping in stack.of_type(EVENT_SOURCE_MAPPING):
        source = str(mapping.get("eventSourceArn") or "")
        if ":sqs:" in source:
            queues = stack.dependencies_of(mapping, "aws:sqs/queue:Queue")
            if queues and not any(q.get("redrivePolicy") for q in queues):
                yield Finding(mapping, "its SQS queue has no redrive policy: failed messages return until they expire")
        elif not mapping.get("destinationConfig", "onFailure", "destinationArn"):
            yield Finding(mapping, f"no on-failure destination for {source or 'its source'}: a failing batch "
                                   f"blocks the shard until the records expire")


@resource_rule("MT-LAMBDA-16", FUNCTION, severity="medium", level="advisory",
               description="Functions run the latest runtime of their language (a supported older one is a "
                           "planned upgrade, not a defect)",
               remediation="Set runtime to the latest version of its language (params.latest lists them).",
               params={"latest": ["python3.14", "nodejs24.x", "java25", "dotnet10", "ruby3.4", "provided.al2023"]})
def latest_runtime(function: Resource, params):
    runtime = str(function.get("runtime") or "")
    latest = _older(runtime, params["latest"]) if runtime else None
    if latest:
        yield f"runtime {runtime} is older than {latest}"
