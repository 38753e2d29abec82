"""What a request wrote to moto, as records for the journal (``local/state.py``), and putting it all back.

The four services local mode keeps (DynamoDB, S3, Secrets Manager, Cognito) are handled
one request at a time each (``moto_app``). ``plan(request)`` runs before moto answers and
names what the request may change (resolving what only the state before it knows: the
username an e-mail stands for, the name of a secret given by ARN); after a 2xx its result
reads what is there now. So a record is what the write left, whatever moto did:

* DynamoDB: the item under each key a ``PutItem``, ``UpdateItem``, ``DeleteItem``,
  ``BatchWriteItem`` or ``TransactWriteItems`` names; a whole table after PartiQL writes,
  a restore or an import, or its deletion;
* S3: the object under the key a ``PUT``, ``POST`` or ``DELETE`` names (``DeleteObjects``:
  each key it lists), its body as a blob; a bucket deleted;
* Secrets Manager: the secret's current value and description, or its deletion;
* Cognito: each user an operation names (by pool and username, alias or access token),
  or every user of the pool it names when it names none. Signing in is not a write:
  tokens end with the run.

Reads (``Get*``, ``List*``, ``Describe*``, ``Query``, ``Scan``, ...) and configuration
(tables, buckets, pools, clients, groups: the program makes them on every start) are not
journaled. ``load`` puts every record back into the containers the program made, where
nothing of the same name is there already: what the program itself creates or uploads on
this start wins over the last run's copy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs

from local.emulators import moto_internals as moto
from local.state import Store

SERVICES = moto.KEPT_BACKENDS

_KEYED_ITEM_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
_TABLE_WRITES = ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "DeleteTable",
                 "RestoreTableFromBackup", "RestoreTableToPointInTime", "ImportTable")
_COGNITO_SESSIONS = ("InitiateAuth", "AdminInitiateAuth", "GlobalSignOut", "AdminUserGlobalSignOut", "RevokeToken")
_READ = re.compile(r"^(Admin)?(Get|List|Describe|BatchGet|Validate)")
# The object headers moto keeps that say what an object is (not how it was sent).
_OBJECT_HEADERS = ("content-type", "cache-control", "content-encoding", "content-disposition", "content-language",
                   "expires", "x-amz-website-redirect-location")

Records = list[dict[str, Any]]
After = Callable[[Store], Records]


@dataclass(frozen=True)
class Request:
    service: str
    operation: str            # from X-Amz-Target ("" for S3)
    params: dict[str, Any]    # the JSON body ({} for S3)
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    region: str

    @classmethod
    def of(cls, service: str, environ: dict[str, Any], body: bytes, region: str) -> "Request":
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        params: Any = {}
        if target and body:
            try:
                params = json.loads(body)
            except ValueError:
                params = {}
        return cls(service, target.rpartition(".")[2], params if isinstance(params, dict) else {},
                   environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                   parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True), body,
                   _signed_region(environ) or region)


def _signed_region(environ: dict[str, Any]) -> str | None:
    """The region a SigV4 request was signed for."""
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def plan(request: Request) -> After | None:
    """What to read after the request succeeds, or None when it writes nothing kept."""
    return _PLANNERS[request.service](request)


# -- DynamoDB --------------------------------------------------------------------------------------
def _dynamodb(request: Request) -> After | None:
    op, params, region = request.operation, request.params, request.region
    if op in _KEYED_ITEM_WRITES:
        keys = [(table, key) for table, key in _item_keys(op, params, region) if key]
        return lambda store: [_item_record(region, table, key) for table, key in keys]
    if op in _TABLE_WRITES:
        if op == "ExecuteStatement" and str(params.get("Statement", "")).lstrip()[:6].upper() == "SELECT":
            return None
        named = params.get("TableName") or params.get("TargetTableName")
        return lambda store: [{"kind": "dynamodb", "in": table, "all": {
            _id(moto.table_key(region, table, item)): item for item in moto.table_items(region, table)}}
            for table in ([named] if named else moto.table_names(region))]
    return None


def _item_keys(op: str, params: dict[str, Any], region: str) -> list[tuple[str, dict | None]]:
    if op == "PutItem":
        return [(params["TableName"], moto.table_key(region, params["TableName"], params.get("Item") or {}))]
    if op in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], params.get("Key"))]
    if op == "BatchWriteItem":
        return [(table, moto.table_key(region, table, (write.get("PutRequest") or {}).get("Item")
                                       or (write.get("DeleteRequest") or {}).get("Key") or {}))
                for table, writes in (params.get("RequestItems") or {}).items() for write in writes]
    keys = []  # TransactWriteItems
    for entry in params.get("TransactItems") or []:
        kind, action = next(iter(entry.items()))
        if kind == "Put":
            keys.append((action["TableName"], moto.table_key(region, action["TableName"], action.get("Item") or {})))
        elif kind in ("Update", "Delete"):
            keys.append((action["TableName"], action.get("Key")))
    return keys


def _item_record(region: str, table: str, key: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "dynamodb", "in": table, "id": _id(key), "value": moto.get_item(region, table, key)}


def _id(key: Any) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


# -- S3 ---------------------------------------------------------------------------------------------
def _s3(request: Request) -> After | None:
    if request.method not in ("PUT", "POST", "DELETE"):
        return None
    bucket, _, key = request.path.lstrip("/").partition("/")
    query = request.query  # PATH_INFO is decoded already
    if not bucket:
        return None
    if key:
        if "uploadId" in query and request.method != "POST" or "uploads" in query:
            return None  # a part, the start or the abort of a multipart upload: no object changes
        keys = [key]
    elif request.method == "POST" and "delete" in query:  # DeleteObjects
        keys = [unquote_xml(k) for k in re.findall(rb"<Key>(.*?)</Key>", request.body, re.S)]
    elif request.method == "DELETE" and not query:  # DeleteBucket
        return lambda store: [{"kind": "s3", "in": bucket, "all": {}}] if bucket not in moto.bucket_names() else []
    else:
        return None  # the bucket's configuration
    return lambda store: [_object_record(store, bucket, k) for k in keys]


def unquote_xml(raw: bytes) -> str:
    text = raw.decode()
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _object_record(store: Store, bucket: str, key: str) -> dict[str, Any]:
    found = moto.get_object(bucket, key)
    value = None
    if found is not None:
        body, metadata = found
        value = {"blob": store.put_blob(body),
                 "headers": {name: v for name, v in metadata.items()
                             if name in _OBJECT_HEADERS or name.startswith("x-amz-meta-")}}
    return {"kind": "s3", "in": bucket, "id": key, "value": value}


# -- Secrets Manager ----------------------------------------------------------------------------
def _secretsmanager(request: Request) -> After | None:
    op, params, region = request.operation, request.params, request.region
    secret_id = params.get("SecretId") or params.get("Name")
    if _READ.match(op) or not secret_id:
        return None
    name = moto.secret_name(region, secret_id) or (params.get("Name") if op == "CreateSecret" else None)
    if name is None:
        return None  # no such secret: the request fails
    return lambda store: [{"kind": "secretsmanager", "in": "secrets", "id": name,
                           "value": moto.get_secret(region, name)}]


# -- Cognito ------------------------------------------------------------------------------------
def _cognito(request: Request) -> After | None:
    op, params = request.operation, request.params
    if _READ.match(op) or op in _COGNITO_SESSIONS:
        return None
    pool = params.get("UserPoolId") or (moto.pool_of_client(params["ClientId"]) if params.get("ClientId") else None)
    name = params.get("Username") or (params.get("ChallengeResponses") or {}).get("USERNAME")
    if params.get("AccessToken"):
        pool, name = moto.user_of_access_token(params["AccessToken"]) or (pool, name)
    if not pool:
        return None  # a pool's configuration, or the request fails
    before = moto.username(pool, name) if name else None

    def after(store: Store) -> Records:
        names = {n for n in (before, moto.username(pool, name) if name else None) if n}
        pool_name = moto.user_pools().get(pool, ("", ""))[1]
        if not names:  # a pool-wide change (a group deleted, the pool deleted...): the pool as it is now
            return [{"kind": "cognitoidp", "in": pool, "all": {
                user: {**moto.get_user(pool, user), "pool": pool_name} for user in moto.usernames(pool)}}]
        return [{"kind": "cognitoidp", "in": pool, "id": user,
                 "value": (image := moto.get_user(pool, user)) and {**image, "pool": pool_name}}
                for user in sorted(names)]
    return after


_PLANNERS: dict[str, Callable[[Request], After | None]] = {
    "dynamodb": _dynamodb, "s3": _s3, "secretsmanager": _secretsmanager, "cognitoidp": _cognito}


# -- loading ----------------------------------------------------------------------------------------
Call = Callable[[str, str, str, dict[str, str], bytes], tuple[int, bytes]]  # (service, method, path, headers, body)


def load(store: Store, call: Call, region: str) -> dict[str, dict[str, int]]:
    """Compact ``store`` and put its records back where their container exists and the entry does not.

    ``call`` makes a request to moto in this process (the public API, as a client would);
    users are put back directly, with their subs. Returns counts per kind: ``restored``,
    and ``kept`` (entries whose table, bucket or pool the program no longer makes: kept on
    disk for when it does again).
    """
    data = store.compact()
    restored: dict[str, int] = {}
    kept: dict[str, int] = {}
    for kind, containers in data.items():
        for container, entries in containers.items():
            done = _LOADERS[kind](store, call, region, container, entries)
            if done is None:
                kept[kind] = kept.get(kind, 0) + len(entries)
            elif done:
                restored[kind] = restored.get(kind, 0) + done
    return {"restored": restored, "kept": kept}


def _checked(answer: tuple[int, bytes], what: str) -> None:
    status, body = answer
    if status >= 300:
        raise RuntimeError(f"putting back {what} failed: HTTP {status} {body[:300]!r}")


def _load_items(store: Store, call: Call, region: str, table: str, items: dict[str, Any]) -> int | None:
    if table not in moto.table_names(region):
        return None
    missing = [item for key, item in items.items() if moto.get_item(region, table, json.loads(key)) is None]
    for start in range(0, len(missing), 25):
        body = json.dumps({"RequestItems": {table: [{"PutRequest": {"Item": item}}
                                                    for item in missing[start:start + 25]]}}).encode()
        _checked(call("dynamodb", "POST", "/", {"X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
                                                 "Content-Type": "application/x-amz-json-1.0"}, body),
                 f"the items of table {table}")
    return len(missing)


def _load_objects(store: Store, call: Call, region: str, bucket: str, objects: dict[str, Any]) -> int | None:
    if bucket not in moto.bucket_names():
        return None
    present = set(moto.object_keys(bucket))
    count = 0
    for key, value in objects.items():
        if key not in present:
            _checked(call("s3", "PUT", f"/{bucket}/{key}", value["headers"], store.blob(value["blob"])),
                     f"s3://{bucket}/{key}")
            count += 1
    return count


def _load_secrets(store: Store, call: Call, region: str, container: str, secrets: dict[str, Any]) -> int | None:
    count = 0
    for name, value in secrets.items():
        if moto.secret_name(region, name) is None:
            params = {"Name": name, "Description": value["description"],
                      **{k: v for k, v in value.items() if k in ("SecretString", "SecretBinary")}}
            _checked(call("secretsmanager", "POST", "/", {"X-Amz-Target": "secretsmanager.CreateSecret",
                                                          "Content-Type": "application/x-amz-json-1.1"},
                          json.dumps(params).encode()), f"secret {name}")
            count += 1
    return count


def _load_users(store: Store, call: Call, region: str, pool: str, users: dict[str, Any]) -> int | None:
    pools = moto.user_pools()
    if pool not in pools:  # a changed setting gave the pool another id: the one pool of the same name
        names = {user.get("pool") for user in users.values()}
        same = [pool_id for pool_id, (_, name) in pools.items() if name in names]
        if len(same) != 1:
            return None
        pool = same[0]
    return sum(moto.put_user(pool, name, user) for name, user in users.items())


_LOADERS: dict[str, Callable[[Store, Call, str, str, dict[str, Any]], int | None]] = {
    "dynamodb": _load_items, "s3": _load_objects, "secretsmanager": _load_secrets, "cognitoidp": _load_users}
