"""From the recording to what local mode runs: functions, APIs, user pools, sites (CloudFront and Amplify)
and invocations."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from local.engine import Recording, Registration
from local.model import DEFAULT_AUTH_FLOWS, CognitoClient, CognitoPool, LocalAmplifyApp, LocalApi, LocalFunction, LocalSite
from local.provision.amplify import read_amplify_apps
from local.provision.apis import read_apis
from local.provision.code import local_dependencies, unpack_code
from local.provision.declarations import Declarations, read_declarations
from local.provision.environment import Facts, local_environment
from local.provision.identities import policy_of_role, role_policy
from local.provision.mocks import LocalMocks
from local.provision.sites import read_sites


@dataclass
class LocalStack:
    """Everything local mode runs for one stack, read from the recording."""

    stack: str
    functions: list[LocalFunction]
    apis: list[LocalApi]
    pools: list[CognitoPool]
    sites: list[LocalSite]
    invocations: list[tuple[str, dict]]           # (function name, event) of aws:lambda/invocation
    policies: dict[str, dict]                      # function name → widened policy
    service_roles: dict[str, dict] = field(default_factory=dict)  # integration credentials ARN → widened policy
    declarations: dict[str, Declarations] = field(default_factory=dict)  # function name → what its archive declares
    amplify_apps: list[LocalAmplifyApp] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)  # resource name → its pattern tag


def file_system_mounts(recording: Recording, function: Registration, root: Path) -> dict[str, str]:
    """The function's EFS mount → a folder under ``root`` standing in for its access point's directory.

    Functions mounting the same directory of the same file system share the folder.
    """
    config = function.inputs.get("fileSystemConfig")
    if not config:
        return {}
    point = next((p for p in recording.of_type("aws:efs/accessPoint:AccessPoint")
                  if p.outputs.get("arn") == config["arn"]), None)
    if point is None:
        raise ValueError(f"function {function.name} mounts {config['arn']}, an access point the program did not "
                         f"register")
    directory = ((point.inputs.get("rootDirectory") or {}).get("path") or "/").strip("/")
    folder = root / str(point.inputs["fileSystemId"]) / directory
    folder.mkdir(parents=True, exist_ok=True)
    return {config["localMountPath"]: str(folder)}


def service_roles(recording: Recording, apis: list[LocalApi]) -> dict[str, dict]:
    """Every role an API's service integration assumes (its ``credentials``) → the role's widened policy."""
    arns = {(op.get("x-amazon-apigateway-integration") or {}).get("credentials") for api in apis
            for operations in (api.openapi.get("paths") or {}).values() for op in operations.values()
            if isinstance(op, dict)}
    return {arn: policy_of_role(recording, arn) for arn in sorted(arns - {None})}


def build(recording: Recording, mocks: LocalMocks, state_dir: Path, stack: str,
          log: Callable[[str], None] = print) -> LocalStack:
    """Read what local mode runs from the registrations (unpacking code and installing layers)."""
    emulators = mocks.emulators
    of = recording.of_type
    facts = Facts(endpoint_url=emulators.moto.url, cognito_url=emulators.cognito.url,
                  postgres_port=emulators.postgres.info.port if emulators.postgres and emulators.postgres.info
                  else None,
                  redis_port=emulators.redis.port if emulators.redis else None)

    # Layers: ARN → local install of the same pins.
    layer_paths: dict[str, Path] = {}
    for layer in of("aws:lambda/layerVersion:LayerVersion"):
        code = layer.inputs.get("code")
        if code is not None and Path(getattr(code, "path", "")).suffix == ".zip":
            layer_paths[layer.outputs["arn"]] = local_dependencies(Path(code.path), log)

    functions: list[LocalFunction] = []
    policies: dict[str, dict] = {}
    declarations: dict[str, Declarations] = {}
    for fn in of("aws:lambda/function:Function"):
        name = fn.outputs["name"]
        policies[name] = role_policy(recording, fn)
        code_dir = unpack_code(fn.inputs["code"], state_dir / "functions" / name)
        declared = read_declarations(code_dir)
        if declared is not None:
            declarations[name] = declared
        env = dict((fn.inputs.get("environment") or {}).get("variables") or {})
        mounts = file_system_mounts(recording, fn, state_dir / "file-systems")
        functions.append(LocalFunction(
            name=name, code_dir=code_dir, handler=fn.inputs.get("handler") or "app.handler",
            environment=local_environment(env, declared, dataclasses.replace(facts, mounts=mounts)),
            timeout_seconds=int(fn.inputs.get("timeout") or 3), memory_mb=int(fn.inputs.get("memorySize") or 128),
            dependency_paths=tuple(layer_paths[arn] for arn in fn.inputs.get("layers") or [] if arn in layer_paths),
            arn=fn.outputs["arn"], runtime=fn.inputs.get("runtime") or ""))

    pools = [_pool(recording, pool, emulators.region, emulators.cognito.url)
             for pool in of("aws:cognito/userPool:UserPool")]

    invocations = [(invocation.inputs["functionName"], json.loads(invocation.inputs.get("input") or "{}"))
                   for invocation in of("aws:lambda/invocation:Invocation")]
    apis = read_apis(recording, mocks.api_ports, mocks.region)
    return LocalStack(stack=stack, functions=functions, apis=apis, pools=pools,
                      service_roles=service_roles(recording, apis),
                      sites=read_sites(recording, mocks.site_ports), invocations=invocations, policies=policies,
                      amplify_apps=read_amplify_apps(recording, mocks.site_ports, mocks.amplify_deployments),
                      declarations=declarations, outputs=recording.outputs,
                      patterns={r.name: (r.inputs.get("tags") or {})["pattern"] for r in recording.registrations
                                if "pattern" in (r.inputs.get("tags") or {})})


def _pool(recording: Recording, pool: Any, region: str, cognito_url: str) -> CognitoPool:
    """A user pool with its clients and groups; Cognito's defaults where the program sets nothing."""
    of = recording.of_type
    clients = tuple(CognitoClient(client_id=c.id,
                                  auth_flows=tuple(c.inputs.get("explicitAuthFlows") or DEFAULT_AUTH_FLOWS),
                                  token_revocation=c.inputs.get("enableTokenRevocation") is not False)
                    for c in of("aws:cognito/userPoolClient:UserPoolClient") if c.inputs.get("userPoolId") == pool.id)
    admin_only = (pool.inputs.get("adminCreateUserConfig") or {}).get("allowAdminCreateUserOnly")
    return CognitoPool(
        pool_id=pool.id, arn=pool.outputs["arn"], name=pool.name,
        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool.id}",
        jwks_url=f"{cognito_url}/{pool.id}/.well-known/jwks.json", clients=clients,
        groups=tuple(g.inputs["name"] for g in of("aws:cognito/userGroup:UserGroup")
                     if g.inputs.get("userPoolId") == pool.id),
        self_sign_up=not admin_only)
