"""Local mode's provisioner: the program's registrations become real local things.

``LocalMocks`` is the offline engine's ``Mocks`` with one difference: for the
resource types below it creates the resource in a local emulator from the
registered inputs and hands the program the emulator's real names, ids, ARNs and
endpoints (every other type falls back to the engine's fabricated outputs). So
the function environments, the stage variables, the site's ``config.json`` and
every ARN in a role policy name things that exist on this machine.

=============================================  ============================================================
type                                           local thing (outputs handed back)
=============================================  ============================================================
aws:dynamodb/table:Table                       moto table: key schema, attributes, GSIs, TTL, stream
aws:s3/bucket:Bucket                           moto bucket (name as registered)
aws:s3/bucketObjectv2:BucketObjectv2           moto object from ``source`` (FileAsset) or ``content``
aws:rds/cluster:Cluster                        database + login role in the local PostgreSQL; the master
                                               secret ``{"username","password",...}`` in moto's Secrets
                                               Manager (``masterUserSecrets[0].secretArn``); endpoint
                                               127.0.0.1 and the local port
aws:rds/clusterInstance | proxy                endpoint 127.0.0.1 and the local port
aws:elasticache/serverlessCache | replGroup    endpoint = the local Redis-protocol server
aws:cognito/userPool | userPoolClient | group  moto Cognito (the second, unenforced moto server)
aws:apigateway/restApi                         a free port for the API's local gateway
aws:apigateway/stage                           ``invokeUrl`` = http://127.0.0.1:<port>/<stage>
aws:cloudfront/distribution                    a free port for the site server; domainName 127.0.0.1:<port>
=============================================  ============================================================

IAM roles are not emulated as roles: each function gets an IAM *user* in moto
holding exactly its role policy's statements (resources widened to ``*``,
because moto matches statements only against ``*``), and its worker signs with
that user's keys. See ``LOCAL_OVERRIDES`` for the few environment variables the
emulator needs and AWS does not.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from pulumi.runtime import mocks as pulumi_mocks

from local import engine
from local.model import CognitoPool, LocalApi, LocalFunction, UsagePlanKey
from local.services import MotoServer, Ports, Postgres, Redis

PROJECT_ROOT = engine.PROJECT_ROOT
DEPS_DIR = PROJECT_ROOT / ".build" / "local-deps"
CONFIG_KEY = "config.json"

# Environment overrides the emulator needs and AWS does not: (variable, applies when, value, why).
LOCAL_OVERRIDES: list[tuple[str, str, str, str]] = [
    ("AWS_ENDPOINT_URL", "always", "the moto server", "every SDK call goes to the emulator"),
    ("DB_SSLMODE", "DB_HOST is set", "disable", "the local PostgreSQL serves no TLS"),
    ("DB_PORT", "DB_HOST is set", "the local PostgreSQL port", "the Database component passes the fixed 5432"),
    ("CACHE_TLS", "CACHE_ENDPOINT is set", "false", "the local Redis-protocol server serves no TLS"),
    ("CACHE_AUTH", "CACHE_ENDPOINT is set", "none", "no ElastiCache IAM auth tokens locally"),
    ("CACHE_PORT", "CACHE_ENDPOINT is set", "the local Redis port", "a replication group's port is fixed at 6379"),
    ("OIDC_JWKS_URL", "it is a cognito-idp JWKS URL", "moto Cognito's JWKS URL",
     "the issuer stays Cognito's (moto signs tokens with it); only the keys' address moves"),
]
# And one in the site's config.json: auth.endpoint (Cognito's regional endpoint) → the local sign-in
# endpoint (services.CognitoFront: real SRP in front of moto's Cognito).


TRANSACTION_ACTIONS = {
    "dynamodb:TransactWriteItems": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "dynamodb:TransactGetItems": ("dynamodb:GetItem",),
}


def widen(policy: str | Mapping[str, Any]) -> dict:
    """A policy's statements with every resource widened to ``*`` (moto matches only ``*``)."""
    document = json.loads(policy) if isinstance(policy, str) else dict(policy)
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    widened = []
    for statement in statements:
        s = {k: v for k, v in statement.items() if k not in ("Resource", "NotResource", "Condition")}
        s["Resource"] = "*"
        actions = s.get("Action") or []
        actions = [actions] if isinstance(actions, str) else list(actions)
        # AWS authorizes a transaction by each item's own action; moto checks one (non-existent)
        # action for the whole call instead, so it is added where the item actions are granted.
        for transact, item_actions in TRANSACTION_ACTIONS.items():
            if any(a in actions for a in item_actions) and transact not in actions:
                actions.append(transact)
        s["Action"] = actions
        widened.append(s)
    return {"Version": "2012-10-17", "Statement": widened}


@dataclass
class Emulators:
    """What the provisioner talks to."""

    moto: MotoServer
    cognito: MotoServer
    postgres: Postgres | None
    redis: Redis | None
    ports: Ports
    region: str = engine.DEFAULT_REGION
    sign_in_url: str = ""  # where the browser signs in (the SRP front); defaults to moto's Cognito

    @property
    def sign_in(self) -> str:
        return self.sign_in_url or self.cognito.url


@dataclass
class LocalSite:
    """A StaticSite (CloudFront distribution) served from its bucket."""

    name: str
    bucket: str
    port: int
    root_object: str
    fallback: dict[int, tuple[int, str]]   # error code → (response code, page)
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@dataclass
class LocalStack:
    """Everything local mode runs for one stack, read from the recording."""

    stack: str
    functions: list[LocalFunction]
    apis: list[LocalApi]
    pools: list[CognitoPool]
    sites: list[LocalSite]
    invocations: list[tuple[str, dict]]           # (function name, event) of aws:lambda/invocation
    shows_tables: list[str]
    policies: dict[str, dict]                      # function name → widened policy
    outputs: dict[str, Any] = field(default_factory=dict)
    pool_clients: dict[str, list[str]] = field(default_factory=dict)
    pool_groups: dict[str, list[str]] = field(default_factory=dict)
    api_patterns: dict[str, str] = field(default_factory=dict)  # api name → pattern tag


class LocalMocks(engine.Mocks):
    """The engine's mocks, creating the resources it knows in the local emulators."""

    def __init__(self, emulators: Emulators):
        super().__init__(region=emulators.region)
        self.emulators = emulators
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self.api_ports: dict[str, int] = {}          # rest api id → port
        self.site_ports: dict[str, int] = {}         # distribution name → port
        self.secrets: dict[str, str] = {}            # secret arn → cluster identifier
        self.uploads: set[tuple[str, str]] = set()   # (bucket, key) the program uploaded
        self.created: list[tuple[str, str]] = []     # (type, physical name) made for real
        self.handlers: dict[str, Callable[[engine.Ctx, dict], dict]] = {
            "aws:dynamodb/table:Table": self._table,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketObjectv2:BucketObjectv2": self._object,
            "aws:rds/cluster:Cluster": self._rds_cluster,
            "aws:rds/clusterInstance:ClusterInstance": self._rds_endpoint,
            "aws:rds/proxy:Proxy": self._rds_endpoint,
            "aws:elasticache/serverlessCache:ServerlessCache": self._serverless_cache,
            "aws:elasticache/replicationGroup:ReplicationGroup": self._replication_group,
            "aws:cognito/userPool:UserPool": self._user_pool,
            "aws:cognito/userPoolClient:UserPoolClient": self._user_pool_client,
            "aws:cognito/userGroup:UserGroup": self._user_group,
            "aws:apigateway/restApi:RestApi": self._rest_api,
            "aws:apigateway/stage:Stage": self._stage,
            "aws:cloudfront/distribution:Distribution": self._distribution,
        }

    # -- plumbing -------------------------------------------------------------------
    def client(self, service: str) -> Any:
        with self._lock:  # boto3 client creation is not thread-safe; registrations run in threads
            if service not in self._clients:
                server = self.emulators.cognito if service == "cognito-idp" else self.emulators.moto
                self._clients[service] = server.client(service)
            return self._clients[service]

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        resource_id, outputs = super().new_resource(args)
        handler = self.handlers.get(args.typ)
        if handler is None:
            return resource_id, outputs
        ctx = engine.Ctx(args.typ, args.name, dict(args.inputs), self.region)
        real = handler(ctx, {**outputs, "id": resource_id})
        outputs.update(real)
        resource_id = real.pop("id", None) or resource_id
        return resource_id, outputs

    # -- data tier --------------------------------------------------------------------
    def _table(self, c: engine.Ctx, outputs: dict) -> dict:
        i = c.inputs
        name = outputs["name"]
        keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
        if i.get("rangeKey"):
            keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
        params: dict[str, Any] = {
            "TableName": name, "KeySchema": keys, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]}
                                     for a in i.get("attributes") or []]}
        indexes = []
        for index in i.get("globalSecondaryIndexes") or []:
            schema = [{"AttributeName": index["hashKey"], "KeyType": "HASH"}]
            if index.get("rangeKey"):
                schema.append({"AttributeName": index["rangeKey"], "KeyType": "RANGE"})
            projection: dict[str, Any] = {"ProjectionType": index.get("projectionType") or "ALL"}
            if index.get("nonKeyAttributes"):
                projection["NonKeyAttributes"] = list(index["nonKeyAttributes"])
            indexes.append({"IndexName": index["name"], "KeySchema": schema, "Projection": projection})
        if indexes:
            params["GlobalSecondaryIndexes"] = indexes
        if i.get("streamEnabled"):
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": i.get("streamViewType")}
        ddb = self.client("dynamodb")
        table = ddb.create_table(**params)["TableDescription"]
        ttl = i.get("ttl") or {}
        if ttl.get("enabled") and ttl.get("attributeName"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
        self.created.append((c.type, name))
        out = {"name": name, "id": name, "arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            out.update(streamArn=table["LatestStreamArn"], streamLabel=table.get("LatestStreamLabel"))
        return out

    def _bucket(self, c: engine.Ctx, outputs: dict) -> dict:
        name = outputs["bucket"]
        self.client("s3").create_bucket(Bucket=name)
        self.created.append((c.type, name))
        return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}

    def _object(self, c: engine.Ctx, outputs: dict) -> dict:
        i = c.inputs
        bucket, key = i["bucket"], i["key"]
        if i.get("source") is not None:
            body = Path(i["source"].path).read_bytes()
        elif i.get("content") is not None:
            body = str(i["content"]).encode()
        else:
            raise ValueError(f"object {c.name}: local mode supports objects with a source file or content")
        if key == CONFIG_KEY:
            body = self._site_config(body)
        params = {"Bucket": bucket, "Key": key, "Body": body}
        if i.get("contentType"):
            params["ContentType"] = i["contentType"]
        if i.get("cacheControl"):
            params["CacheControl"] = i["cacheControl"]
        response = self.client("s3").put_object(**params)
        with self._lock:
            self.uploads.add((bucket, key))
        return {"etag": response["ETag"].strip('"'), "versionId": response.get("VersionId") or ""}

    def _site_config(self, body: bytes) -> bytes:
        """A site's runtime config: sign-in goes to the local Cognito (the API URL already is local)."""
        try:
            config = json.loads(body)
        except ValueError:
            return body
        if isinstance(config, dict) and isinstance(config.get("auth"), dict) and "endpoint" in config["auth"]:
            config["auth"]["endpoint"] = self.emulators.sign_in + "/"
            return json.dumps(config).encode()
        return body

    def _rds_cluster(self, c: engine.Ctx, outputs: dict) -> dict:
        postgres = self.emulators.postgres
        if postgres is None or postgres.info is None:
            raise RuntimeError("the program declares a database but no PostgreSQL is running")
        i = c.inputs
        ident = outputs["clusterIdentifier"]
        dbname = i.get("databaseName") or "postgres"
        user = i.get("masterUsername") or "postgres"
        password = secrets.token_urlsafe(18)
        postgres.ensure_database(dbname, user, password)
        info = postgres.info
        secret = self.client("secretsmanager").create_secret(
            Name=f"rds!cluster-{ident}", Description=f"Master credentials of {ident} (local PostgreSQL)",
            SecretString=json.dumps({"username": user, "password": password, "engine": "postgres",
                                     "host": info.host, "port": info.port, "dbname": dbname}))
        self.secrets[secret["ARN"]] = ident
        self.created.append((c.type, f"{dbname} on {info.host}:{info.port}"))
        return {"endpoint": info.host, "readerEndpoint": info.host, "port": info.port,
                "masterUserSecrets": [{"secretArn": secret["ARN"], "secretStatus": "active", "kmsKeyId": ""}]}

    def _rds_endpoint(self, c: engine.Ctx, outputs: dict) -> dict:
        info = self.emulators.postgres.info if self.emulators.postgres else None
        return {"endpoint": info.host, "port": info.port} if info else {}

    def _serverless_cache(self, c: engine.Ctx, outputs: dict) -> dict:
        port = self._redis_port()
        return {"endpoints": [{"address": "127.0.0.1", "port": port}],
                "readerEndpoints": [{"address": "127.0.0.1", "port": port}]}

    def _replication_group(self, c: engine.Ctx, outputs: dict) -> dict:
        port = self._redis_port()
        return {"primaryEndpointAddress": "127.0.0.1", "readerEndpointAddress": "127.0.0.1", "port": port}

    def _redis_port(self) -> int:
        if self.emulators.redis is None:
            raise RuntimeError("the program declares a cache but no Redis-protocol server is running")
        return self.emulators.redis.port

    # -- identity -----------------------------------------------------------------------
    def _user_pool(self, c: engine.Ctx, outputs: dict) -> dict:
        i = c.inputs
        policy = i.get("passwordPolicy") or {}
        params: dict[str, Any] = {"PoolName": i.get("name") or c.name}
        if policy:
            params["Policies"] = {"PasswordPolicy": {
                "MinimumLength": int(policy.get("minimumLength", 8)),
                "RequireUppercase": bool(policy.get("requireUppercase")),
                "RequireLowercase": bool(policy.get("requireLowercase")),
                "RequireNumbers": bool(policy.get("requireNumbers")),
                "RequireSymbols": bool(policy.get("requireSymbols"))}}
        for key, param in (("usernameAttributes", "UsernameAttributes"),
                           ("autoVerifiedAttributes", "AutoVerifiedAttributes")):
            if i.get(key):
                params[param] = list(i[key])
        if i.get("mfaConfiguration"):
            params["MfaConfiguration"] = i["mfaConfiguration"]
        pool = self.client("cognito-idp").create_user_pool(**params)["UserPool"]
        self.created.append((c.type, pool["Id"]))
        return {"id": pool["Id"], "arn": pool["Arn"], "name": pool["Name"],
                "endpoint": f"cognito-idp.{self.region}.amazonaws.com/{pool['Id']}"}

    def _user_pool_client(self, c: engine.Ctx, outputs: dict) -> dict:
        i = c.inputs
        params: dict[str, Any] = {"UserPoolId": i["userPoolId"], "ClientName": i.get("name") or c.name,
                                  "GenerateSecret": bool(i.get("generateSecret"))}
        if i.get("explicitAuthFlows"):
            params["ExplicitAuthFlows"] = list(i["explicitAuthFlows"])
        units = i.get("tokenValidityUnits") or {}
        for key, param, unit in (("accessTokenValidity", "AccessTokenValidity", "accessToken"),
                                 ("idTokenValidity", "IdTokenValidity", "idToken"),
                                 ("refreshTokenValidity", "RefreshTokenValidity", "refreshToken")):
            if i.get(key):
                params[param] = int(i[key])
                if units.get(unit):
                    params.setdefault("TokenValidityUnits", {})[unit[0].upper() + unit[1:]] = units[unit]
        client = self.client("cognito-idp").create_user_pool_client(**params)["UserPoolClient"]
        return {"id": client["ClientId"], "clientSecret": client.get("ClientSecret", "")}

    def _user_group(self, c: engine.Ctx, outputs: dict) -> dict:
        i = c.inputs
        self.client("cognito-idp").create_group(UserPoolId=i["userPoolId"], GroupName=i["name"],
                                                Description=i.get("description") or "")
        return {"id": f"{i['userPoolId']}/{i['name']}"}

    # -- logic and presentation tiers -------------------------------------------------------
    def _rest_api(self, c: engine.Ctx, outputs: dict) -> dict:
        api_id = outputs["id"]
        with self._lock:
            if api_id not in self.api_ports:
                self.api_ports[api_id] = self.emulators.ports.take(f"REST API {c.name}")
        return {}

    def _stage(self, c: engine.Ctx, outputs: dict) -> dict:
        port = self.api_ports.get(c.inputs["restApi"])
        if port is None:
            return {}
        return {"invokeUrl": f"http://127.0.0.1:{port}/{c.inputs['stageName']}"}

    def _distribution(self, c: engine.Ctx, outputs: dict) -> dict:
        with self._lock:
            if c.name not in self.site_ports:
                self.site_ports[c.name] = self.emulators.ports.take(f"site {c.name}")
            port = self.site_ports[c.name]
        return {"domainName": f"127.0.0.1:{port}"}


# --- from the recording to what local mode runs -------------------------------------------

def _pins_of_layer(zip_path: Path) -> list[str]:
    """``name==version`` of every distribution inside a layer zip (its resolved, pinned set)."""
    pins = set()
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if len(parts) >= 3 and parts[1].endswith(".dist-info") and parts[2] == "METADATA":
                meta = archive.read(name).decode("utf-8", "replace")
                fields = dict(re.findall(r"^(Name|Version): (.+)$", meta, re.M))
                pins.add(f"{fields['Name'].strip()}=={fields['Version'].strip()}")
    return sorted(pins)


def local_dependencies(layer_zip: Path, log: Callable[[str], None] = print) -> Path:
    """The layer's exact package set installed once for this interpreter and platform.

    The layer itself is built for Lambda's platform (manylinux, arm64 by default);
    this installs the same pinned versions for the local Python, keyed by the pin
    list's hash and the Python version, under ``.build/local-deps/<key>``.
    """
    pins = _pins_of_layer(layer_zip)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256(("\n".join(pins) + f"|py{version}|{sys.platform}").encode()).hexdigest()[:16]
    target = DEPS_DIR / key
    if (target / ".complete").is_file():
        return target
    log(f"installing the layer's {len(pins)} pinned packages for python{version} into {target} (once)")
    partial = DEPS_DIR / f".{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--no-deps", "--only-binary=:all:", "--target", str(partial), *pins],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"installing the functions' dependencies failed: {result.stderr.strip()[-500:]}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    (target / ".complete").write_text("\n".join(pins) + "\n")
    return target


def unpack_code(archive: Any, target: Path) -> Path:
    """Copy a function's ``AssetArchive`` (archive path → FileAsset) into ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    assets = getattr(archive, "assets", None)
    if assets is None:
        path = Path(getattr(archive, "path", ""))
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
            return target
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                z.extractall(target)
            return target
        raise ValueError(f"cannot unpack function code {archive!r}")
    for name, asset in assets.items():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if hasattr(asset, "path"):
            shutil.copyfile(asset.path, destination)
        elif hasattr(asset, "text"):
            destination.write_text(asset.text)
        else:
            raise ValueError(f"cannot unpack {name}: {asset!r}")
    return target


def _rewrite_jwks(url: str, cognito_url: str) -> str:
    match = re.match(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([^/]+)/\.well-known/jwks\.json$", url)
    return f"{cognito_url}/{match.group(1)}/.well-known/jwks.json" if match else url


def local_environment(env: Mapping[str, str], emulators: Emulators) -> dict[str, str]:
    """The function's own variables plus ``LOCAL_OVERRIDES``."""
    out = {k: str(v) for k, v in env.items()}
    out["AWS_ENDPOINT_URL"] = emulators.moto.url
    if out.get("DB_HOST"):
        out["DB_SSLMODE"] = "disable"
        if emulators.postgres is not None and emulators.postgres.info is not None:
            out["DB_PORT"] = str(emulators.postgres.info.port)
    if out.get("CACHE_ENDPOINT"):
        out.update(CACHE_TLS="false", CACHE_AUTH="none")
        if emulators.redis is not None:
            out["CACHE_PORT"] = str(emulators.redis.port)
    if out.get("OIDC_JWKS_URL"):
        out["OIDC_JWKS_URL"] = _rewrite_jwks(out["OIDC_JWKS_URL"], emulators.cognito.url)
    return out


def build(recording: engine.Recording, mocks: LocalMocks, state_dir: Path, stack: str,
          log: Callable[[str], None] = print) -> LocalStack:
    """Read what local mode runs from the registrations."""
    emulators = mocks.emulators
    of = recording.of_type

    # Layers: ARN → local install of the same pins.
    layer_paths: dict[str, Path] = {}
    for layer in of("aws:lambda/layerVersion:LayerVersion"):
        code = layer.inputs.get("code")
        if code is not None and Path(getattr(code, "path", "")).suffix == ".zip":
            layer_paths[layer.outputs["arn"]] = local_dependencies(Path(code.path), log)

    roles = {r.outputs.get("arn"): r for r in of("aws:iam/role:Role")}
    policies_by_role: dict[str, list[dict]] = {}
    for policy in of("aws:iam/rolePolicy:RolePolicy"):
        policies_by_role.setdefault(policy.inputs.get("role"), []).append(json.loads(policy.inputs["policy"]))

    functions: list[LocalFunction] = []
    policies: dict[str, dict] = {}
    shows_tables: list[str] = []
    for fn in of("aws:lambda/function:Function"):
        name = fn.outputs["name"]
        role = roles.get(fn.inputs.get("role"))
        statements = []
        if role is not None:
            keys = dict.fromkeys([role.id, role.outputs.get("name")])  # RolePolicy.role is the role's id (= name)
            for document in [d for key in keys for d in policies_by_role.get(key, [])]:
                statements += widen(document)["Statement"]
        seen: set[str] = set()
        for index, statement in enumerate(statements):  # several policies may reuse a Sid
            if statement.get("Sid") in seen:
                statement["Sid"] = f"{statement['Sid']}{index}"
            seen.add(statement.get("Sid"))
        policies[name] = {"Version": "2012-10-17", "Statement": statements}
        env = dict((fn.inputs.get("environment") or {}).get("variables") or {})
        if env.get("SHOWS_TABLE") and env["SHOWS_TABLE"] not in shows_tables:
            shows_tables.append(env["SHOWS_TABLE"])
        code_dir = unpack_code(fn.inputs["code"], state_dir / "functions" / name)
        functions.append(LocalFunction(
            name=name, code_dir=code_dir, handler=fn.inputs.get("handler") or "app.handler",
            environment=local_environment(env, emulators),
            timeout_seconds=int(fn.inputs.get("timeout") or 3), memory_mb=int(fn.inputs.get("memorySize") or 128),
            dependency_paths=tuple(layer_paths[arn] for arn in fn.inputs.get("layers") or [] if arn in layer_paths),
            arn=fn.outputs["arn"]))

    apis = _apis(recording, mocks)
    pools, clients, groups = [], {}, {}
    for pool in of("aws:cognito/userPool:UserPool"):
        pool_id = pool.id
        clients[pool_id] = [c.id for c in of("aws:cognito/userPoolClient:UserPoolClient")
                            if c.inputs.get("userPoolId") == pool_id]
        groups[pool_id] = [g.inputs["name"] for g in of("aws:cognito/userGroup:UserGroup")
                           if g.inputs.get("userPoolId") == pool_id]
        pools.append(CognitoPool(
            pool_id=pool_id, arn=pool.outputs["arn"],
            issuer=f"https://cognito-idp.{emulators.region}.amazonaws.com/{pool_id}",
            jwks_url=f"{emulators.cognito.url}/{pool_id}/.well-known/jwks.json", client_ids=tuple(clients[pool_id])))

    invocations = []
    for invocation in of("aws:lambda/invocation:Invocation"):
        invocations.append((invocation.inputs["functionName"], json.loads(invocation.inputs.get("input") or "{}")))

    return LocalStack(stack=stack, functions=functions, apis=apis, pools=pools, sites=_sites(recording, mocks),
                      invocations=invocations, shows_tables=shows_tables, policies=policies,
                      outputs=recording.outputs, pool_clients=clients, pool_groups=groups,
                      api_patterns={a.name: _pattern_of(recording, a.name) for a in apis})


def _pattern_of(recording: engine.Recording, api_name: str) -> str:
    for r in recording.of_type("aws:apigateway/restApi:RestApi"):
        if r.name == api_name:
            return (r.inputs.get("tags") or {}).get("pattern", "")
    return ""


def _apis(recording: engine.Recording, mocks: LocalMocks) -> list[LocalApi]:
    of = recording.of_type
    apis = []
    for api in of("aws:apigateway/restApi:RestApi"):
        api_id = api.id
        stages = [s for s in of("aws:apigateway/stage:Stage") if s.inputs.get("restApi") == api_id]
        if not stages or api_id not in mocks.api_ports:
            continue
        stage = stages[0]
        rate, burst, per_method = 10000.0, 5000, {}
        for setting in of("aws:apigateway/methodSettings:MethodSettings"):
            if setting.inputs.get("restApi") != api_id:
                continue
            values = setting.inputs.get("settings") or {}
            pair = (float(values.get("throttlingRateLimit", -1)), int(values.get("throttlingBurstLimit", -1)))
            if setting.inputs.get("methodPath") == "*/*":
                rate, burst = pair
            else:
                per_method[setting.inputs["methodPath"]] = pair
        keys = []
        for plan in of("aws:apigateway/usagePlan:UsagePlan"):
            if not any(s.get("apiId") == api_id for s in plan.inputs.get("apiStages") or []):
                continue
            throttle = plan.inputs.get("throttleSettings") or {}
            quota = plan.inputs.get("quotaSettings") or {}
            for link in of("aws:apigateway/usagePlanKey:UsagePlanKey"):
                if link.inputs.get("usagePlanId") != plan.id:
                    continue
                key = next((k for k in of("aws:apigateway/apiKey:ApiKey") if k.id == link.inputs.get("keyId")), None)
                if key is not None:
                    keys.append(UsagePlanKey(value=key.outputs.get("value") or key.inputs.get("value"),
                                             rate=float(throttle.get("rateLimit", rate)),
                                             burst=int(throttle.get("burstLimit", burst)),
                                             quota_per_day=int(quota.get("limit", 0))))
        body = api.inputs.get("body")
        apis.append(LocalApi(
            name=api.name, api_id=api_id, stage=stage.inputs["stageName"],
            openapi=json.loads(body) if isinstance(body, str) else dict(body or {}),
            stage_variables=dict(stage.inputs.get("variables") or {}), port=mocks.api_ports[api_id],
            throttle_rate=rate, throttle_burst=burst, method_throttles=per_method, api_keys=tuple(keys),
            region=mocks.region))
    return apis


_HEADER_NAMES = {"contentTypeOptions": "X-Content-Type-Options", "frameOptions": "X-Frame-Options",
                 "referrerPolicy": "Referrer-Policy", "strictTransportSecurity": "Strict-Transport-Security",
                 "contentSecurityPolicy": "Content-Security-Policy", "xssProtection": "X-XSS-Protection"}


def response_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """HTTP headers of a CloudFront ResponseHeadersPolicy's ``securityHeadersConfig``."""
    headers: dict[str, str] = {}
    for key, value in (config or {}).items():
        if key == "contentTypeOptions":
            headers["X-Content-Type-Options"] = "nosniff"
        elif key == "frameOptions":
            headers["X-Frame-Options"] = value.get("frameOption", "DENY")
        elif key == "referrerPolicy":
            headers["Referrer-Policy"] = value.get("referrerPolicy", "same-origin")
        elif key == "strictTransportSecurity":
            hsts = f"max-age={int(value.get('accessControlMaxAgeSec', 0))}"
            if value.get("includeSubdomains"):
                hsts += "; includeSubDomains"
            if value.get("preload"):
                hsts += "; preload"
            headers["Strict-Transport-Security"] = hsts
        elif key == "contentSecurityPolicy":
            headers["Content-Security-Policy"] = value.get("contentSecurityPolicy", "")
    return headers


def _sites(recording: engine.Recording, mocks: LocalMocks) -> list[LocalSite]:
    policies = {p.id: p for p in recording.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")}
    sites = []
    for dist in recording.of_type("aws:cloudfront/distribution:Distribution"):
        origin = ((dist.inputs.get("origins") or [{}])[0]).get("domainName", "")
        bucket = re.sub(r"\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$", "", origin)
        behavior = dist.inputs.get("defaultCacheBehavior") or {}
        policy = policies.get(behavior.get("responseHeadersPolicyId"))
        headers = response_headers(policy.inputs.get("securityHeadersConfig") if policy else {})
        fallback = {int(e["errorCode"]): (int(e.get("responseCode") or e["errorCode"]), e.get("responsePagePath", ""))
                    for e in dist.inputs.get("customErrorResponses") or []}
        sites.append(LocalSite(name=dist.name, bucket=bucket, port=mocks.site_ports[dist.name],
                               root_object=dist.inputs.get("defaultRootObject") or "index.html",
                               fallback=fallback, headers=headers))
    return sites


# --- identities ---------------------------------------------------------------------

def function_identity(moto: MotoServer, name: str, policy: Mapping[str, Any], iam: Any = None) -> dict[str, str]:
    """An IAM user for one function with exactly ``policy``; returns its keys as env vars."""
    iam = iam or moto.client("iam")
    user = f"fn-{name}"[:64]
    try:
        iam.create_user(UserName=user, Tags=[{"Key": "function", "Value": name}])
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    put_function_policy(moto, name, policy, iam)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def put_function_policy(moto: MotoServer, name: str, policy: Mapping[str, Any], iam: Any = None) -> None:
    """Replace a function identity's grants (e.g. to drop one statement in a test)."""
    iam = iam or moto.client("iam")
    user = f"fn-{name}"[:64]
    if policy.get("Statement"):
        iam.put_user_policy(UserName=user, PolicyName="role-policy", PolicyDocument=json.dumps(policy))
    else:
        try:
            iam.delete_user_policy(UserName=user, PolicyName="role-policy")
        except iam.exceptions.NoSuchEntityException:
            pass
