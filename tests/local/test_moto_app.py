"""The emulator process (moto_app): writes to one service apply one at a time, as DynamoDB's conditional writes
and transactions promise, and every acknowledged write survives ``kill -9``.

The races run many rounds against the emulator local mode runs (tests/local/test_e2e_races.py runs them through
each pattern's API). On moto's own server they oversell in most rounds: a cancelled transaction puts back copies
of whole tables taken when it began, wiping the purchases that committed meanwhile.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from local.emulators.moto_server import MotoServer
from local.emulators.ports import Ports

REGION = "us-east-1"
ROUNDS = 12
BUYERS = 20
SEATS = 5


def _client(server: MotoServer, service: str, **config) -> object:
    return boto3.session.Session().client(
        service, endpoint_url=server.url, region_name=REGION, aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 0}, max_pool_connections=BUYERS + 5, **config))


def _table(ddb, name: str) -> None:
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="mt-moto-app-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _server(folder: Path, name: str = "main") -> MotoServer:
    server = MotoServer(Ports(None).take(f"moto {name}"), name, folder / f"{name}.log", REGION, data=folder / name)
    server.start()
    return server


@pytest.fixture(scope="module")
def racing(folder):
    """A journaling emulator with the tables of a purchase; the shows table holds other shows too, as it does
    in the app (moto copies whole tables in a transaction: the race window grows with them)."""
    server = _server(folder / "race")
    try:
        ddb = _client(server, "dynamodb")
        for name in ("shows", "tickets"):
            _table(ddb, name)
        server.load()
        for n in range(30):
            ddb.put_item(TableName="shows", Item={"id": {"S": f"other-{n}"}, "remaining": {"N": "9"},
                                                  "about": {"S": "x" * 200}})
        yield server, ddb
    finally:
        server.stop()


def _purchase(show: str, ticket: str) -> list[dict]:
    return [{"Update": {"TableName": "shows", "Key": {"id": {"S": show}},
                        "UpdateExpression": "SET remaining = remaining - :one", "ConditionExpression": "remaining >= :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": "tickets", "Item": {"id": {"S": ticket}, "show": {"S": show}, "status": {"S": "active"}},
                     "ConditionExpression": "attribute_not_exists(id)"}}]


def _cancel(show: str, ticket: str) -> list[dict]:
    return [{"Update": {"TableName": "tickets", "Key": {"id": {"S": ticket}}, "UpdateExpression": "SET #s = :c",
                        "ConditionExpression": "#s = :a", "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":a": {"S": "active"}, ":c": {"S": "cancelled"}}}},
            {"Update": {"TableName": "shows", "Key": {"id": {"S": show}},
                        "UpdateExpression": "SET remaining = remaining + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]


def _race(ddb, transactions: list[list[dict]]) -> int:
    """Run the transactions at the same instant; how many committed (a cancellation is an answer, not an error)."""
    barrier = threading.Barrier(len(transactions))
    committed, errors = [], []

    def run(items: list[dict]) -> None:
        barrier.wait(30)
        try:
            ddb.transact_write_items(TransactItems=items)
            committed.append(1)
        except ddb.exceptions.TransactionCanceledException:
            pass
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(items,)) for items in transactions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return len(committed)


def _remaining(ddb, show: str) -> int:
    return int(ddb.get_item(TableName="shows", Key={"id": {"S": show}}, ConsistentRead=True)["Item"]["remaining"]["N"])


def test_concurrent_purchases_never_sell_more_seats_than_there_are(racing):
    _, ddb = racing
    for round_ in range(ROUNDS):
        show = f"hot-{round_}"
        ddb.put_item(TableName="shows", Item={"id": {"S": show}, "remaining": {"N": str(SEATS)}})
        # GIVEN more buyers than seats, all at once (each tries twice)
        sold = _race(ddb, [_purchase(show, f"{show}-{buyer}-{attempt}")
                           for buyer in range(BUYERS) for attempt in range(2)])
        tickets = [item for item in ddb.scan(TableName="tickets", ConsistentRead=True)["Items"]
                   if item["show"]["S"] == show]
        # THEN exactly the seats are sold: acknowledged, written and taken from the show alike
        assert (sold, len(tickets), _remaining(ddb, show)) == (SEATS, SEATS, 0), f"round {round_}"


def test_concurrent_cancels_of_one_ticket_give_its_seat_back_once(racing):
    _, ddb = racing
    for round_ in range(ROUNDS):
        show, ticket = f"cancel-{round_}", f"ticket-{round_}"
        ddb.put_item(TableName="shows", Item={"id": {"S": show}, "remaining": {"N": "3"}})
        assert _race(ddb, [_purchase(show, ticket)]) == 1
        # WHEN ten cancels of it come at once THEN one commits and the seat comes back once
        assert _race(ddb, [_cancel(show, ticket) for _ in range(10)]) == 1, f"round {round_}"
        assert _remaining(ddb, show) == 3, f"round {round_}"


def _writes_until_killed(server: MotoServer, write, workers: int = 4) -> list:
    """Call ``write(worker, n)`` in threads until the emulator is SIGKILLed; returns what it acknowledged."""
    acknowledged: list = []
    lock = threading.Lock()

    def keep_writing(worker: int) -> None:
        for n in range(100_000):
            try:
                done = write(worker, n)
            except Exception:  # noqa: BLE001 (the emulator is gone)
                return
            with lock:
                acknowledged.append(done)

    threads = [threading.Thread(target=keep_writing, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.process.pid, signal.SIGKILL)  # mid-write: threads are between requests and inside them
    for thread in threads:
        thread.join()
    server.stop()
    return acknowledged


def _servers(data: Path) -> tuple[MotoServer, MotoServer]:
    """The two emulators local mode runs (AWS and Cognito), started side by side."""
    started: dict[str, MotoServer] = {}
    threads = [threading.Thread(target=lambda name=name: started.__setitem__(name, _server(data, name)))
               for name in ("aws", "cognito")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started["aws"], started["cognito"]


def _program(aws: MotoServer, cognito: MotoServer, tables=("items", "kept", "dropped")) -> tuple[str, str]:
    """What the program makes on every start: tables, a bucket with its upload, a pool with a client and group."""
    ddb, s3, idp = _client(aws, "dynamodb"), _client(aws, "s3"), _client(cognito, "cognito-idp")
    for name in tables:
        _table(ddb, name)
    s3.create_bucket(Bucket="bucket")
    s3.put_object(Bucket="bucket", Key="index.html", Body=f"site of {len(tables)}".encode(), ContentType="text/html")
    pool = idp.create_user_pool(PoolName="users", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="app")["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool, GroupName="admins")
    return pool, client_id


def test_every_acknowledged_write_survives_kill_9_and_what_the_program_makes_wins(folder):
    data = folder / "crash"
    # GIVEN the program's resources and the data loaded (kept from here on)
    aws, cognito = _servers(data)
    pool, client_id = _program(aws, cognito)
    assert aws.load() == cognito.load() == {"restored": {}, "kept": {}}
    ddb, s3, secrets = _client(aws, "dynamodb"), _client(aws, "s3"), _client(aws, "secretsmanager")
    idp = _client(cognito, "cognito-idp")
    for worker in range(4):
        secrets.create_secret(Name=f"app/key-{worker}", SecretString="first")
    ddb.put_item(TableName="kept", Item={"id": {"S": "a"}, "binary": {"B": b"\x00\xff"}, "m": {"M": {"l": {"L": [
        {"BS": [b"\x01"]}, {"NS": ["1", "2.5"]}, {"NULL": True}]}}}})
    ddb.put_item(TableName="dropped", Item={"id": {"S": "b"}})
    ddb.put_item(TableName="kept", Item={"id": {"S": "deleted"}})
    ddb.delete_item(TableName="kept", Key={"id": {"S": "deleted"}})
    s3.put_object(Bucket="bucket", Key="index.html", Body=b"changed by a client", ContentType="text/html")
    s3.put_object(Bucket="bucket", Key="user/upload.txt", Body=b"mine", Metadata={"owner": "me"})

    def write(worker: int, n: int):
        key = f"{worker}-{n}"
        if n % 4 == 0:
            ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "items", "Item": {"id": {"S": key}}}}])
        elif n % 4 == 1:
            ddb.update_item(TableName="items", Key={"id": {"S": key}}, UpdateExpression="SET n = :n",
                            ExpressionAttributeValues={":n": {"N": str(n)}})
        elif n % 4 == 2:
            s3.put_object(Bucket="bucket", Key=f"objects/{key}", Body=key.encode(), ContentType="text/plain")
        else:
            secrets.put_secret_value(SecretId=f"app/key-{worker}", SecretString=str(n))
        return key, n % 4

    def sign_up(worker: int, n: int):
        email = f"user{worker}-{n}@example.com"
        sub = idp.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!-x")["UserSub"]
        idp.admin_confirm_sign_up(UserPoolId=pool, Username=email)
        idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="admins")
        return email, sub

    # WHEN writes stream in and each emulator is killed with SIGKILL in the middle of them
    written = _writes_until_killed(aws, write)
    signed_up = _writes_until_killed(cognito, sign_up, workers=2)

    # THEN started again, once the program made its resources again (no table "dropped" now), every
    # acknowledged write is back
    aws, cognito = _servers(data)
    try:
        assert _program(aws, cognito, tables=("items", "kept")) == (pool, client_id)  # the same ids
        assert aws.load()["kept"] == {"dynamodb": 1}  # the item of "dropped" waits for it on disk
        cognito.load()
        ddb, s3, secrets = _client(aws, "dynamodb"), _client(aws, "s3"), _client(aws, "secretsmanager")
        idp = _client(cognito, "cognito-idp")

        items = {item["id"]["S"] for item in ddb.scan(TableName="items", ConsistentRead=True)["Items"]}
        assert {key for key, kind in written if kind in (0, 1)} <= items
        objects = {o["Key"] for o in s3.list_objects_v2(Bucket="bucket").get("Contents", [])}
        assert {f"objects/{key}" for key, kind in written if kind == 2} <= objects
        for worker in range(4):  # each worker's last acknowledged value, or the one it was writing when killed
            last = max((int(key.split("-")[1]) for key, kind in written if kind == 3 and key.startswith(f"{worker}-")),
                       default=None)
            value = secrets.get_secret_value(SecretId=f"app/key-{worker}")["SecretString"]
            assert value in ({str(last), str(last + 4)} if last is not None else {"first", "3"}), (worker, value)
        assert len(signed_up) >= 2
        for email, sub in signed_up:
            user = idp.admin_get_user(UserPoolId=pool, Username=email)
            assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == sub
            assert user["UserStatus"] == "CONFIRMED"
            assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool, Username=email)["Groups"]] \
                == ["admins"]
        tokens = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": signed_up[0][0], "PASSWORD": "Passw0rd!-x"})
        assert tokens["AuthenticationResult"]["IdToken"]

        # AND values come back exactly, deletions stay deleted, and the program's own upload wins
        item = ddb.get_item(TableName="kept", Key={"id": {"S": "a"}})["Item"]
        assert item["binary"]["B"] == b"\x00\xff" and item["m"]["M"]["l"]["L"][0]["BS"] == [b"\x01"]
        assert "Item" not in ddb.get_item(TableName="kept", Key={"id": {"S": "deleted"}})
        assert s3.get_object(Bucket="bucket", Key="index.html")["Body"].read() == b"site of 2"
        upload = s3.get_object(Bucket="bucket", Key="user/upload.txt")
        assert upload["Body"].read() == b"mine" and upload["Metadata"] == {"owner": "me"}
    finally:
        aws.stop()
        cognito.stop()


def test_local_modes_own_requests_need_its_token(racing):
    server, _ = racing
    request = urllib.request.Request(f"{server.url}/_local/load", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as again:  # loaded once, never again
        server.load()
    assert again.value.code == 409
