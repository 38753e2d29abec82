"""Create-on-register: the offline engine's mocks, making the program's resources real local things.

``LocalMocks`` is the offline engine's ``Mocks`` with one difference: for the
resource types below (those whose record in ``local/engine/types.py`` names one of
its methods) it creates the resource in a local emulator from the
registered inputs and hands the program the emulator's real names, ids, ARNs and
endpoints (every other type falls back to the engine's fabricated outputs). So
the function environments, the stage variables, a site's runtime config and
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
aws:cognito/identityProvider                   registered in moto Cognito (and named by the app client), so
                                               the pool lists it; signing in through it is not emulated
aws:apigateway/restApi                         a free port for the API's local gateway
aws:apigateway/stage                           ``invokeUrl`` = http://127.0.0.1:<port>/<stage>
aws:cloudfront/distribution                    a free port for the site server; domainName 127.0.0.1:<port>
aws:amplify/app                                a free port for the app's server
pulumi-python:dynamic/amplify:Deployment       what the deployment does (the staged zip copied with the
                                               runtime config added), in the emulator's S3
=============================================  ============================================================

An object whose ``source`` is a folder (a ``FileArchive``, as Amplify's staged build) is
uploaded zipped, as Pulumi uploads it.

One rewrite of content: in an uploaded JSON object (content type
``application/json`` or ``*+json``), every string that is exactly Cognito's
regional sign-in endpoint (``https://cognito-idp.<region>.amazonaws.com/``)
becomes the local sign-in endpoint (``emulators/cognito_sign_in.py``), because a
browser signs in there; nothing else in any object changes. (The issuer and JWKS
URLs under that host are left alone: tokens keep Cognito's issuer.)
"""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pulumi.runtime import mocks as pulumi_mocks

from multitier._settings.loader import DEFAULT_REGION
from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports
from local.emulators.postgres import Postgres
from local.emulators.redis_server import Redis
from local.engine import TYPES, Ctx, Mocks, Registration

_SECRET_SIG = "4dabf18193072939515e22adb298388d"  # how the Pulumi protocol wraps a secret value
_COGNITO_SIGN_IN = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/?$")


@dataclass
class Emulators:
    """What the provisioner talks to."""

    moto: MotoServer
    cognito: MotoServer
    postgres: Postgres | None
    redis: Redis | None
    ports: Ports
    sign_in_url: str  # where the browser signs in (emulators/cognito_sign_in.py)
    region: str = DEFAULT_REGION


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def zipped(folder: Path) -> bytes:
    """The folder as a zip archive: every file under its path relative to the folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def with_local_sign_in(body: bytes, sign_in_url: str) -> bytes:
    """A JSON document with Cognito's regional sign-in endpoint replaced by ``sign_in_url`` (else unchanged)."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    found = False

    def walk(node: Any) -> Any:
        nonlocal found
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        if isinstance(node, str) and _COGNITO_SIGN_IN.match(node):
            found = True
            return sign_in_url + "/"
        return node

    rewritten = walk(document)
    return json.dumps(rewritten).encode() if found else body


class LocalMocks(Mocks):
    """The engine's mocks, creating the resources it knows in the local emulators."""

    def __init__(self, emulators: Emulators, ready: Callable[[], None] = lambda: None):
        """``ready()`` returns once the emulators run (or raises why they do not): the program may be
        started while they start."""
        super().__init__(region=emulators.region)
        self.emulators = emulators
        self.ready = ready
        self._lock = threading.Lock()
        self.api_ports: dict[str, int] = {}          # rest api id → port
        self.site_ports: dict[str, int] = {}         # distribution or Amplify app name → port
        self.amplify_deployments: dict[str, str] = {}  # Amplify app id → s3:// URL of the zip it serves
        self.uploads: set[tuple[str, str]] = set()   # (bucket, key) the program uploaded
        self.created: list[tuple[str, str]] = []     # (type, physical name) made for real
        self.federated: list[tuple[str, str]] = []   # (provider name, type) registered in a user pool
        # The types local mode makes for real, as the type table names them (local/engine/types.py).
        self.handlers: dict[str, Callable[[Ctx, dict], dict]] = {
            token: getattr(self, record.local) for token, record in TYPES.items() if record.local}

    # -- plumbing -------------------------------------------------------------------
    def client(self, service: str) -> Any:
        server = self.emulators.cognito if service == "cognito-idp" else self.emulators.moto
        return server.client(service)

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        resource_id, outputs = super().new_resource(args)
        handler = self.handlers.get(args.typ)
        if handler is None:
            return resource_id, outputs
        self.ready()
        ctx = Ctx(args.typ, args.name, dict(args.inputs), self.region)
        real = handler(ctx, {**outputs, "id": resource_id})
        outputs.update(real)
        resource_id = real.pop("id", None) or resource_id
        return resource_id, outputs

    # -- while local mode runs: what a resource was made from changed ---------------------------
    def recreate(self, registration: Registration) -> None:
        """Do again what registering ``registration`` did (an object's upload, a deployment's copy)."""
        ctx = Ctx(registration.type, registration.name, dict(registration.inputs), self.region)
        self.handlers[registration.type](ctx, {**registration.outputs, "id": registration.id})

    def delete(self, registration: Registration) -> None:
        """Undo an object's upload (its source is gone)."""
        if registration.type != "aws:s3/bucketObjectv2:BucketObjectv2":
            raise ValueError(f"local mode deletes only objects while it runs, not {registration.type}")
        bucket, key = registration.inputs["bucket"], registration.inputs["key"]
        self.client("s3").delete_object(Bucket=bucket, Key=key)
        with self._lock:
            self.uploads.discard((bucket, key))

    # -- data tier --------------------------------------------------------------------
    def _table(self, c: Ctx, outputs: dict) -> dict:
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

    def _bucket(self, c: Ctx, outputs: dict) -> dict:
        name = outputs["bucket"]
        self.client("s3").create_bucket(Bucket=name)
        self.created.append((c.type, name))
        return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}

    def _object(self, c: Ctx, outputs: dict) -> dict:
        i = c.inputs
        bucket, key = i["bucket"], i["key"]
        if i.get("source") is not None:
            source = Path(i["source"].path)
            body = zipped(source) if source.is_dir() else source.read_bytes()
        elif i.get("content") is not None:
            body = str(i["content"]).encode()
        else:
            raise ValueError(f"object {c.name}: local mode supports objects with a source file or content")
        if _is_json(i.get("contentType")):
            body = with_local_sign_in(body, self.emulators.sign_in_url)
        params = {"Bucket": bucket, "Key": key, "Body": body}
        if i.get("contentType"):
            params["ContentType"] = i["contentType"]
        if i.get("cacheControl"):
            params["CacheControl"] = i["cacheControl"]
        response = self.client("s3").put_object(**params)
        with self._lock:
            self.uploads.add((bucket, key))
        return {"etag": response["ETag"].strip('"'), "versionId": response.get("VersionId") or ""}

    def _rds_cluster(self, c: Ctx, outputs: dict) -> dict:
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
        self.created.append((c.type, f"{dbname} on {info.host}:{info.port}"))
        return {"endpoint": info.host, "readerEndpoint": info.host, "port": info.port,
                "masterUserSecrets": [{"secretArn": secret["ARN"], "secretStatus": "active", "kmsKeyId": ""}]}

    def _rds_endpoint(self, c: Ctx, outputs: dict) -> dict:
        info = self.emulators.postgres.info if self.emulators.postgres else None
        return {"endpoint": info.host, "port": info.port} if info else {}

    def _serverless_cache(self, c: Ctx, outputs: dict) -> dict:
        port = self._redis_port()
        return {"endpoints": [{"address": "127.0.0.1", "port": port}],
                "readerEndpoints": [{"address": "127.0.0.1", "port": port}]}

    def _replication_group(self, c: Ctx, outputs: dict) -> dict:
        port = self._redis_port()
        return {"primaryEndpointAddress": "127.0.0.1", "readerEndpointAddress": "127.0.0.1", "port": port}

    def _redis_port(self) -> int:
        if self.emulators.redis is None:
            raise RuntimeError("the program declares a cache but no Redis-protocol server is running")
        return self.emulators.redis.port

    # -- identity -----------------------------------------------------------------------
    def _user_pool(self, c: Ctx, outputs: dict) -> dict:
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

    def _user_pool_client(self, c: Ctx, outputs: dict) -> dict:
        i = c.inputs
        params: dict[str, Any] = {"UserPoolId": i["userPoolId"], "ClientName": i.get("name") or c.name,
                                  "GenerateSecret": bool(i.get("generateSecret"))}
        if i.get("explicitAuthFlows"):
            params["ExplicitAuthFlows"] = list(i["explicitAuthFlows"])
        if i.get("supportedIdentityProviders"):
            params["SupportedIdentityProviders"] = list(i["supportedIdentityProviders"])
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

    def _user_group(self, c: Ctx, outputs: dict) -> dict:
        i = c.inputs
        self.client("cognito-idp").create_group(UserPoolId=i["userPoolId"], GroupName=i["name"],
                                                Description=i.get("description") or "")
        return {"id": f"{i['userPoolId']}/{i['name']}"}

    def _identity_provider(self, c: Ctx, outputs: dict) -> dict:
        i = c.inputs
        details = i.get("providerDetails") or {}
        details = details.get("value", details) if _SECRET_SIG in details else details  # a secret's wrapper
        self.client("cognito-idp").create_identity_provider(
            UserPoolId=i["userPoolId"], ProviderName=i["providerName"], ProviderType=i["providerType"],
            ProviderDetails={k: str(v) for k, v in details.items()}, AttributeMapping=dict(i.get("attributeMapping") or {}))
        with self._lock:
            self.federated.append((i["providerName"], i["providerType"]))
        return {}

    # -- logic and presentation tiers -------------------------------------------------------
    def _rest_api(self, c: Ctx, outputs: dict) -> dict:
        api_id = outputs["id"]
        with self._lock:
            if api_id not in self.api_ports:
                self.api_ports[api_id] = self.emulators.ports.take(f"REST API {c.name}")
        return {}

    def _stage(self, c: Ctx, outputs: dict) -> dict:
        port = self.api_ports.get(c.inputs["restApi"])
        if port is None:
            return {}
        return {"invokeUrl": f"http://127.0.0.1:{port}/{c.inputs['stageName']}"}

    def _distribution(self, c: Ctx, outputs: dict) -> dict:
        return {"domainName": f"127.0.0.1:{self._site_port(c.name)}"}

    def _amplify_app(self, c: Ctx, outputs: dict) -> dict:
        self._site_port(c.name)
        return {}

    def _amplify_deployment(self, c: Ctx, outputs: dict) -> dict:
        from multitier._presentation.amplify_hosting import with_config  # what the deployment itself does

        i = c.inputs
        url = i["source_url"]
        if i.get("config_json"):
            config = with_local_sign_in(str(i["config_json"]).encode(), self.emulators.sign_in_url).decode()
            url = with_config(self.client("s3"), url, config)
        with self._lock:
            self.amplify_deployments[i["app_id"]] = url
        return {"job_id": "local", "status": "SUCCEED"}

    def _site_port(self, name: str) -> int:
        with self._lock:
            if name not in self.site_ports:
                self.site_ports[name] = self.emulators.ports.take(f"site {name}")
            return self.site_ports[name]
