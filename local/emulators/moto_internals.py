"""Everything local mode takes from moto (and from werkzeug under it) beyond moto's public interface.

moto's public interface is its server, its decorators and ``/moto-api``. Local mode's
emulator also needs the names below: its request dispatcher and handler, its response
serializer and module listing (``moto_patches``), the records of four services
(``moto_durable``: what a write changed, and putting users back). They are imported in
this file and nowhere else, and ``check()`` (run when the emulator starts, and by
``tests/local/test_moto_internals.py``) names the first one a moto or werkzeug upgrade
moved, so an upgrade breaks this file with one clear message, not the emulator at random.
"""

from __future__ import annotations

import base64
import inspect
import re
from typing import Any, Iterable

import werkzeug.serving
from moto import backends
from moto.cognitoidp import models as cognito_models
from moto.core import DEFAULT_ACCOUNT_ID, serialize
from moto.core.utils import get_service_model
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.models import FakeKey, S3Backend
from moto.secretsmanager.models import FakeSecret, SecretsManagerBackend

KEPT_BACKENDS = ("dynamodb", "s3", "secretsmanager", "cognitoidp")  # moto's names of what moto_writes keeps
JSONSerializer = serialize.JSONSerializer     # DynamoDB's answers; subclassed by moto_patches
RequestHandler = MotoRequestHandler           # werkzeug's request handler as moto's server configures it
CognitoUser = cognito_models.CognitoIdpUser

# What check() verifies: (what, object, attribute or parameter names it must have).
RELIED_ON: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("moto.core.serialize", serialize, ("SERVICE_SPECIFIC_SERIALIZERS", "JSONSerializer")),
    ("moto.core.serialize.JSONSerializer", JSONSerializer, ("_serialize",)),
    ("moto.backends", backends, ("list_of_moto_modules", "get_backend")),
    ("moto's dispatcher", DomainDispatcherApplication, ("get_application", "__call__")),
    ("moto.cognitoidp.models", cognito_models, ("jwk",)),
    ("moto's Cognito user pool", cognito_models.CognitoIdpUserPool,
     ("id", "name", "users", "groups", "clients", "access_tokens", "_get_user")),
    ("moto's Cognito user", CognitoUser, ("id", "username", "password", "status", "enabled", "attributes",
                                          "groups", "create_date", "last_modified_date", "sms_mfa_enabled",
                                          "software_token_mfa_enabled", "preferred_mfa_setting", "token_verified",
                                          "update_attributes")),
    ("moto's Cognito group", cognito_models.CognitoIdpGroup, ("group_name", "users")),
    ("moto's DynamoDB backend", DynamoDBBackend, ("tables", "get_item")),
    ("moto's DynamoDB table", Table, ("hash_key_attr", "range_key_attr", "all_items")),
    ("moto's S3 backend", S3Backend, ("buckets", "get_object")),
    ("moto's S3 object", FakeKey, ("value", "metadata")),
    ("moto's Secrets Manager backend", SecretsManagerBackend, ("secrets", "get_secret_value")),
    ("moto's secret", FakeSecret, ("name", "description", "is_deleted", "default_version_id")),
    ("werkzeug.serving", werkzeug.serving, ("selectors", "run_simple")),
    ("werkzeug's request handler", RequestHandler, ("make_environ", "send_header")),
)
_USER_INIT = ("user_pool_id", "username", "password", "status", "attributes")


def missing(target: Any, names: tuple[str, ...]) -> list[str]:
    """The names ``target`` lacks (a model's instance attributes: those none of its methods sets)."""
    source = _source(target) if inspect.isclass(target) else ""
    return [name for name in names if not hasattr(target, name) and not re.search(rf"self\.{name}\b", source)]


def check() -> None:
    """Fail with one message if moto or werkzeug no longer has what this module relies on."""
    for what, target, names in RELIED_ON:
        if lacking := missing(target, names):
            raise RuntimeError(f"{what} has no {', '.join(lacking)} in this version of moto/werkzeug: local mode's "
                               f"emulator relies on it (review local/emulators/moto_internals.py)")
    if absent := set(KEPT_BACKENDS) - set(backends.list_of_moto_modules()):
        raise RuntimeError(f"moto has no backend named {', '.join(sorted(absent))} in this version "
                           f"(review local/emulators/moto_internals.py)")
    if tuple(inspect.signature(CognitoUser.__init__).parameters)[1:] != _USER_INIT:
        raise RuntimeError("moto's CognitoIdpUser(...) takes other arguments in this version of moto "
                           "(review local/emulators/moto_internals.py)")


def _source(cls: type) -> str:
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        return ""


# -- serving ---------------------------------------------------------------------------------
def dispatcher() -> Any:
    """moto's WSGI application (every service behind one port), as ``moto.server`` makes it."""
    return DomainDispatcherApplication(create_backend_app)


def service_app(dispatch: Any, environ: dict[str, Any]) -> tuple[str, Any]:
    """The service a request is for (moto's backend name: ``dynamodb``, ``s3``, ``moto_api``...) and its app."""
    app = dispatch.get_application(environ)
    return str(getattr(app, "service", "")), app


def run(host: str, port: int, app: Any, handler: type) -> None:
    werkzeug.serving.run_simple(host, port, app, threaded=True, request_handler=handler)


def replace_drain_selectors(selectors: Any) -> None:
    """What werkzeug's server uses as ``selectors`` (only to drain unread request data after an answer)."""
    werkzeug.serving.selectors = selectors  # type: ignore[assignment]


def use_serializer(service: str, serializer: type) -> None:
    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault(service, {})["json"] = serializer


def attribute_value_members() -> dict[str, tuple[str, Any]]:
    """DynamoDB's ``AttributeValue`` members in moto's model: name → (type, serialization)."""
    shape = get_service_model("dynamodb").shape_for("AttributeValue")
    members = {name: (member.type_name, member.serialization) for name, member in shape.members.items()}
    members[""] = ("", shape.serialization)
    for name in ("SS", "NS", "BS", "L"):
        members[f"{name}[]"] = ("", shape.members[name].member.serialization)
    return members


def list_moto_modules_once() -> None:
    """moto lists its package folder on every request to find a backend; the folder does not change."""
    if getattr(backends.list_of_moto_modules, "listed_once", False):
        return
    modules = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return modules

    list_of_moto_modules.listed_once = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules


def replace_cognito_jwk(jwk: Any) -> None:
    """What moto's Cognito models use as ``joserfc.jwk`` (to import each pool's signing key)."""
    cognito_models.jwk = jwk


# -- records -----------------------------------------------------------------------------------
def _backends(service: str) -> Any:
    return backends.get_backend(service)[DEFAULT_ACCOUNT_ID]  # type: ignore[call-overload]


def _regions(service: str) -> Iterable[tuple[str, Any]]:
    """The backends of the regions used so far (looking a region up would create it)."""
    return dict.items(_backends(service))


def _plain(value: Any) -> Any:
    """moto's item JSON with binary values as DynamoDB's wire form (base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def table_key(region: str, table: str, item: dict[str, Any]) -> dict[str, Any] | None:
    """The key attributes of ``item`` in ``table`` (None when there is no such table)."""
    found = _backends("dynamodb")[region].tables.get(table)
    if found is None:
        return None
    names = [found.hash_key_attr] + ([found.range_key_attr] if found.range_key_attr else [])
    return {name: item[name] for name in names if name in item}


def table_names(region: str) -> list[str]:
    return list(_backends("dynamodb")[region].tables)


def get_item(region: str, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    found = _backends("dynamodb")[region].tables.get(table)
    if found is None:
        return None
    item = _backends("dynamodb")[region].get_item(table, key)
    return _plain(item.to_json()["Attributes"]) if item is not None else None


def table_items(region: str, table: str) -> list[dict[str, Any]]:
    found = _backends("dynamodb")[region].tables.get(table)
    return [_plain(item.to_json()["Attributes"]) for item in found.all_items()] if found is not None else []


def bucket_names() -> list[str]:
    return list(_backends("s3")["aws"].buckets)


def object_keys(bucket: str) -> list[str]:
    found = _backends("s3")["aws"].buckets.get(bucket)
    return list(found.keys) if found is not None else []


def get_object(bucket: str, key: str) -> tuple[bytes, dict[str, str]] | None:
    """An object's bytes and its metadata (lower-case header names: content-type, x-amz-meta-*...)."""
    if bucket not in _backends("s3")["aws"].buckets:
        return None
    found = _backends("s3")["aws"].get_object(bucket, key)
    return (found.value, dict(found.metadata)) if found is not None else None


def secret_name(region: str, secret_id: str) -> str | None:
    """The name of a secret given its name or (partial) ARN; None when there is none."""
    found = _backends("secretsmanager")[region].secrets.get(secret_id)
    return found.name if found is not None else None


def get_secret(region: str, name: str) -> dict[str, Any] | None:
    """A secret's current value and description; None when it does not exist or is scheduled for deletion."""
    store = _backends("secretsmanager")[region]
    found = store.secrets.get(name)
    if found is None or found.is_deleted() or not found.default_version_id:
        return None
    current = store.get_secret_value(name, None, None)
    image = {"description": found.description or ""}
    if current.get("SecretString") is not None:
        image["SecretString"] = current["SecretString"]
    elif current.get("SecretBinary") is not None:
        image["SecretBinary"] = _plain(current["SecretBinary"])
    return image


def user_pools() -> dict[str, tuple[str, str]]:
    """Every user pool: id → (region, name)."""
    return {pool_id: (region, pool.name) for region, backend in _regions("cognito-idp")
            for pool_id, pool in backend.user_pools.items()}


def _pool(pool_id: str) -> Any:
    return next((backend.user_pools[pool_id] for _, backend in _regions("cognito-idp")
                 if pool_id in backend.user_pools), None)


def pool_of_client(client_id: str) -> str | None:
    return next((pool.id for _, backend in _regions("cognito-idp") for pool in backend.user_pools.values()
                 if client_id in pool.clients), None)


def user_of_access_token(token: str) -> tuple[str, str] | None:
    """(pool id, username) of an access token moto issued."""
    return next(((pool.id, pool.access_tokens[token][1]) for _, backend in _regions("cognito-idp")
                 for pool in backend.user_pools.values() if token in pool.access_tokens), None)


def username(pool_id: str, name: str) -> str | None:
    """The username of the user ``name`` names in a pool (a username or an alias: e-mail, phone)."""
    pool = _pool(pool_id)
    user = pool._get_user(name) if pool is not None and name else None
    return user.username if user is not None else None


def usernames(pool_id: str) -> list[str]:
    pool = _pool(pool_id)
    return list(pool.users) if pool is not None else []


def get_user(pool_id: str, name: str) -> dict[str, Any] | None:
    """What makes a user: sub, password, status, attributes, groups, MFA settings, dates."""
    pool = _pool(pool_id)
    user = pool.users.get(name) if pool is not None else None
    if user is None:
        return None
    return {"sub": user.id, "password": user.password, "status": user.status, "enabled": user.enabled,
            "attributes": [dict(a) for a in user.attributes], "groups": sorted(g.group_name for g in user.groups),
            "mfa": {"sms": user.sms_mfa_enabled, "software_token": user.software_token_mfa_enabled,
                    "preferred": user.preferred_mfa_setting, "token_verified": user.token_verified},
            "created": user.create_date.isoformat(), "modified": user.last_modified_date.isoformat()}


def put_user(pool_id: str, name: str, image: dict[str, Any]) -> bool:
    """Make a user again from ``get_user``'s image, with its sub; False when the pool has one by that name."""
    import datetime

    pool = _pool(pool_id)
    if pool is None or name in pool.users:
        return False
    user = CognitoUser(pool_id, name, image["password"], image["status"], image["attributes"])
    user.id = image["sub"]
    user.update_attributes([{"Name": "sub", "Value": image["sub"]}])  # moto made a new one
    user.enabled = image["enabled"]
    user.sms_mfa_enabled = image["mfa"]["sms"]
    user.software_token_mfa_enabled = image["mfa"]["software_token"]
    user.preferred_mfa_setting = image["mfa"]["preferred"]
    user.token_verified = image["mfa"]["token_verified"]
    user.create_date = datetime.datetime.fromisoformat(image["created"])
    user.last_modified_date = datetime.datetime.fromisoformat(image["modified"])
    for group_name in image["groups"]:
        if group_name in pool.groups:
            pool.groups[group_name].users.add(user)
            user.groups.add(pool.groups[group_name])
    pool.users[name] = user
    return True
