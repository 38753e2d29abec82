"""moto_patches: the same answers as moto, byte for byte, for the DynamoDB operations the functions use; and
moto's server keeping connections open."""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import socket
import tempfile
import uuid
from pathlib import Path

import pytest
import werkzeug.serving
from moto import backends
from joserfc import jwk
from moto.cognitoidp import models as cognito_models
from moto.core import serialize
from moto.moto_server.werkzeug_app import create_backend_app
from moto.utilities.utils import load_resource

from local.emulators import moto_patches
from local.emulators.moto_patches import DynamoDBSerializer, attribute_value
from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports

TARGET = "DynamoDB_20120810."
# moto routes by the signature's credential scope (it checks no signature before enforcement is on).
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
                           "SignedHeaders=host, Signature=0", "Content-Type": "application/x-amz-json-1.0"}
B64 = base64.b64encode(b"\x00\xffbinary").decode()
# A show as the functions store it (the whole fast path), and items with every attribute type moto knows
# (the fast path for some, moto's walk for binary, both mixed in one item).
SHOW = {"id": {"S": "show-1"}, "kind": {"S": "show"}, "starts_at": {"S": "2026-05-01T19:00:00Z"},
        "title": {"S": "Hamlet – “to be”"}, "venue": {"S": ""}, "capacity": {"N": "120"}, "remaining": {"N": "7"},
        "price_cents": {"N": "2500.50"}}
EVERYTHING = {"id": {"S": "show-2"}, "kind": {"S": "show"}, "starts_at": {"S": "2026-05-02T19:00:00Z"},
              "tags": {"SS": ["b", "a", "é"]}, "seats": {"NS": ["1", "2.5", "-3"]}, "sold_out": {"BOOL": False},
              "on_sale": {"BOOL": True}, "nothing": {"NULL": True},
              "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "0"}, {"M": {}}, {"L": []}, {"BOOL": True}]},
                               "empty": {"M": {}}, "deeper": {"M": {"n": {"N": "1"}}}}},
              "list": {"L": [{"M": {"a": {"S": "b"}}}, {"NULL": True}]}}
BINARY = {"id": {"S": "show-3"}, "kind": {"S": "show"}, "starts_at": {"S": "2026-05-03T19:00:00Z"},
          "blob": {"B": B64}, "blobs": {"BS": [B64]},
          "nested": {"M": {"blob": {"B": B64}, "text": {"S": "t"}}}, "list": {"L": [{"B": B64}, {"S": "u"}]}}


@pytest.fixture(scope="module")
def dynamodb():
    """moto's DynamoDB app in this process, a table with a by_start index and the three items."""
    client = create_backend_app("dynamodb").test_client()
    table = f"patches-{uuid.uuid4().hex[:8]}"

    def call(operation: str, **params):
        response = client.post("/", data=json.dumps(params), headers={
            "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.0"})
        return response.status_code, response.headers.get("x-amz-crc32"), response.data

    status, _, body = call(
        "CreateTable", TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("id", "kind", "starts_at")],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_start", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                               {"AttributeName": "starts_at", "KeyType": "RANGE"}]}])
    assert status == 200, body
    for item in (SHOW, EVERYTHING, BINARY):
        assert call("PutItem", TableName=table, Item=item)[0] == 200
    return table, call


def _operations(table: str) -> list[tuple[str, dict]]:
    """Each is idempotent, so it answers the same twice (once per serializer)."""
    key = {"id": {"S": "show-2"}}
    by_start = {"TableName": table, "IndexName": "by_start", "KeyConditionExpression": "#k = :k",
                "ExpressionAttributeNames": {"#k": "kind"}, "ExpressionAttributeValues": {":k": {"S": "show"}}}
    return [
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}),
        ("GetItem", {"TableName": table, "Key": {"id": {"S": "show-3"}}}),
        ("GetItem", {"TableName": table, "Key": {"id": {"S": "missing"}}}),
        ("GetItem", {"TableName": table, "Key": key, "ProjectionExpression": "nested.deeper, tags, seats"}),
        ("Query", by_start),
        ("Query", {**by_start, "Limit": 1, "ReturnConsumedCapacity": "INDEXES"}),
        ("Query", {**by_start, "Select": "COUNT"}),
        ("Scan", {"TableName": table, "ReturnConsumedCapacity": "TOTAL"}),
        ("PutItem", {"TableName": table, "Item": SHOW, "ReturnValues": "ALL_OLD"}),
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET sold_out = :f",
                        "ExpressionAttributeValues": {":f": {"BOOL": False}}, "ReturnValues": "ALL_NEW"}),
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET sold_out = :f",
                        "ExpressionAttributeValues": {":f": {"BOOL": False}}, "ReturnValues": "UPDATED_OLD"}),
        # A failed condition returns the item in the error (ConditionalCheckFailedException's Item).
        ("PutItem", {"TableName": table, "Item": EVERYTHING, "ConditionExpression": "attribute_not_exists(id)",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ("BatchGetItem", {"RequestItems": {table: {"Keys": [key, {"id": {"S": "show-1"}}, {"id": {"S": "show-3"}}]}}}),
        ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": table, "Key": key}},
                                                {"Get": {"TableName": table, "Key": {"id": {"S": "show-1"}}}}]}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": table, "Item": SHOW}}]}),
        ("BatchWriteItem", {"RequestItems": {table: [{"PutRequest": {"Item": BINARY}}]}}),
        ("DescribeTable", {"TableName": table}),
    ]


def test_dynamodb_answers_are_byte_for_byte_moto_s(dynamodb, monkeypatch):
    table, call = dynamodb
    fast_forms = []
    original = moto_patches.attribute_value

    def counting(value):
        result = original(value)
        if result is not moto_patches._GENERIC:
            fast_forms.append(result)
        return result

    monkeypatch.setattr(moto_patches, "attribute_value", counting)
    for operation, params in _operations(table):
        monkeypatch.delitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", raising=False)
        moto_s = call(operation, **params)
        monkeypatch.setitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", {"json": DynamoDBSerializer})
        patched = call(operation, **params)
        assert patched == moto_s, f"{operation} {params}"
    assert len(fast_forms) > 100  # the fast path answered most attribute values, not only moto's walk
    assert {"M": {"n": {"N": "1"}}} in fast_forms


@pytest.mark.parametrize("value", [
    {"B": B64}, {"BS": [B64]}, {"S": 1}, {"S": "a", "N": "1"}, {"s": "lower-case"}, {"M": {"": {"S": "x"}}},
    {"M": {"a": {"B": B64}}}, {"L": [{"S": 1}]}, {"SS": ["a", 1]}, [], "S"])
def test_forms_the_fast_path_does_not_know_go_to_moto_s_walk(value):
    assert attribute_value(value) is moto_patches._GENERIC


def test_fast_forms():
    assert attribute_value({"S": None}) == {}
    assert attribute_value({"M": {"a": None, "b": {"N": "2"}}}) == {"M": {"b": {"N": "2"}}}
    assert attribute_value({"L": [None, {"NULL": True}]}) == {"L": [None, {"NULL": True}]}


def test_the_model_is_the_one_mirrored():
    moto_patches.check_model()  # raises when moto's AttributeValue shape changes


@pytest.fixture
def installed(monkeypatch):
    """install() in this process, undone afterwards."""
    monkeypatch.setattr(backends, "list_of_moto_modules", backends.list_of_moto_modules)
    monkeypatch.setattr(cognito_models, "jwk", cognito_models.jwk)
    monkeypatch.setitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", {})
    monkeypatch.setattr(werkzeug.serving, "selectors", werkzeug.serving.selectors)
    listed = tuple(backends.list_of_moto_modules())
    moto_patches.install()
    return listed


def test_the_backend_listing_is_read_once(installed):
    assert backends.list_of_moto_modules() == installed and "dynamodb" in installed
    assert backends.list_of_moto_modules.listed_once


def test_user_pools_share_the_one_imported_signing_key(installed):
    pools = [cognito_models.CognitoIdpUserPool("123456789012", "us-east-1", f"pool-{i}", {}) for i in range(2)]
    assert pools[0].json_web_key is pools[1].json_web_key
    fresh = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    assert pools[0].json_web_key.as_dict(private=True) == fresh.as_dict(private=True)


@pytest.fixture(scope="module")
def moto_server():
    root = Path(tempfile.mkdtemp(prefix="mt-moto-patches-"))
    server = MotoServer(Ports(None).take("moto"), "main", root / "moto.log", "us-east-1")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _request(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> http.client.HTTPResponse:
    headers = headers or {}
    connection.request(method, path, body=body, headers=headers,
                       encode_chunked=headers.get("Transfer-Encoding") == "chunked")
    response = connection.getresponse()
    response.body = response.read()
    return response


def test_the_server_keeps_connections_open(moto_server):
    connection = http.client.HTTPConnection("127.0.0.1", moto_server.port, timeout=10)
    first = _request(connection, "POST", "/", json.dumps({}).encode(), {"X-Amz-Target": TARGET + "ListTables",
                                                                       **SIGNED})
    assert first.status == 200 and first.getheader("Connection") is None and "TableNames" in json.loads(first.body)
    local_port = connection.sock.getsockname()[1]
    # A chunked body, a body moto does not read (S3's HEAD of a missing bucket) and a plain GET, on one socket.
    chunked = _request(connection, "POST", "/", iter([b'{"Lim', b'it": 1}']),
                       {"X-Amz-Target": TARGET + "ListTables", **SIGNED, "Transfer-Encoding": "chunked"})
    assert chunked.status == 200 and "TableNames" in json.loads(chunked.body)
    unread = _request(connection, "HEAD", "/no-such-bucket", b"ignored body")
    assert unread.status == 404
    listing = _request(connection, "GET", "/moto-api/data.json")
    assert listing.status == 200
    assert connection.sock.getsockname()[1] == local_port  # still the first connection
    connection.close()


def test_the_server_closes_when_asked(moto_server):
    connection = http.client.HTTPConnection("127.0.0.1", moto_server.port, timeout=10)
    response = _request(connection, "GET", "/moto-api/data.json", headers={"Connection": "close"})
    assert response.status == 200 and response.getheader("Connection") == "close"
    sock = socket.create_connection(("127.0.0.1", moto_server.port), timeout=10)
    sock.sendall(b"GET /moto-api/data.json HTTP/1.0\r\n\r\n")
    received = b""
    while chunk := sock.recv(65536):  # HTTP/1.0: the server ends the connection after the answer
        received += chunk
    assert received.startswith(b"HTTP/1.0 200") or received.startswith(b"HTTP/1.1 200")
    sock.close()
