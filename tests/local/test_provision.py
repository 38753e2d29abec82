"""What local mode reads from the services' contract: environments, seed items, users; and the sign-in rewrite.

No emulator processes: the contract is loaded from archive folders on disk, and the
seeding runs against moto in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from local.model import CognitoPool, LocalFunction
from local.provision.declarations import Declarations, load_module, read_declarations
from local.provision.environment import Facts, local_environment
from local.provision.mocks import _is_json, with_local_sign_in
from local.provision.seeding import seed_tables, seed_users, users_of

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_FILE = ROOT / "functions" / "shared" / "contract.py"
Var = load_module(CONTRACT_FILE).Var  # the services' own declaration of a variable
MOUNTED = "/state/file-systems/fs-1/tickets"
FACTS = Facts(endpoint_url="http://127.0.0.1:5000", cognito_url="http://127.0.0.1:5001", postgres_port=15432,
              redis_port=16379, mounts={"/mnt/tickets": MOUNTED})
COGNITO_JWKS = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1/.well-known/jwks.json"
LOCAL_JWKS = "http://127.0.0.1:5001/eu-west-1_Pool1/.well-known/jwks.json"


FAKE = Declarations({v.name: v for v in (Var("PORT", "a port", "test", default="5432", local="{postgres_port}"),
                                     Var("TLS", "TLS mode", "test", default="require", local="disable"),
                                     Var("KEYS", "a JWKS URL", "test", local="{cognito_jwks_url}"),
                                     Var("PLAIN", "no local value", "test", default="x"))})


# --- environment ----------------------------------------------------------------------------

def test_every_local_value_the_services_declare_is_applied():
    # GIVEN the project's own contract, as a function's archive carries it
    contract = read_declarations(CONTRACT_FILE.parents[1])
    declared = [v for v in contract.variables.values() if v.local is not None]
    assert declared, "the contract declares local values"
    registered = {v.name: COGNITO_JWKS if "cognito_jwks_url" in v.local else
                  "/mnt/tickets" if "mounted_path" in v.local else "registered" for v in declared}
    # WHEN local mode builds the environment of a function that sets them all
    env = local_environment(registered, contract, FACTS)
    # THEN each holds its declared local value, facts filled in
    facts = {"{postgres_port}": "15432", "{redis_port}": "16379", "{cognito_jwks_url}": LOCAL_JWKS,
             "{mounted_path}": MOUNTED}
    for var in declared:
        expected = var.local
        for fact, value in facts.items():
            expected = expected.replace(fact, value)
        assert env[var.name] == expected, var.name
    assert env["AWS_ENDPOINT_URL"] == FACTS.endpoint_url


def test_local_values_replace_registered_values_and_defaults_only():
    env = local_environment({"PORT": "5432", "OTHER": "kept"}, FAKE, FACTS)
    # PORT was registered, TLS would have been read from its default; KEYS is required and
    # unset (nothing to replace), PLAIN has no local value
    assert env == {"PORT": "15432", "TLS": "disable", "OTHER": "kept", "AWS_ENDPOINT_URL": FACTS.endpoint_url}


def test_a_mount_path_becomes_the_folder_standing_in_for_it():
    mount = Declarations({"DOCS": Var("DOCS", "a mounted folder", "test", default="", local="{mounted_path}")})
    assert local_environment({"DOCS": "/mnt/tickets/2026"}, mount, FACTS)["DOCS"] == MOUNTED + "/2026"
    assert local_environment({"DOCS": "/mnt/ticketsx"}, mount, FACTS)["DOCS"] == "/mnt/ticketsx"  # not under it
    assert local_environment({}, mount, FACTS).get("DOCS") is None  # unset (default "") stays unset


def test_a_fact_local_mode_lacks_leaves_the_registered_value():
    no_postgres = Facts(FACTS.endpoint_url, FACTS.cognito_url, postgres_port=None)
    third_party = "https://issuer.example.com/.well-known/jwks.json"
    env = local_environment({"PORT": "5432", "KEYS": third_party}, FAKE, no_postgres)
    assert env["PORT"] == "5432" and env["KEYS"] == third_party
    assert local_environment({"KEYS": COGNITO_JWKS}, FAKE, FACTS)["KEYS"] == LOCAL_JWKS


def test_an_unknown_fact_is_a_clear_error():
    contract = Declarations({"X": Var("X", "x", "test", default="1", local="{mystery_port}")})
    with pytest.raises(ValueError, match=r"names \{mystery_port\}, which local mode does not know \(known: "
                                         r"\{postgres_port\}"):
        local_environment({}, contract, FACTS)


def test_without_a_contract_only_the_sdk_endpoint_changes(tmp_path):
    assert read_declarations(tmp_path) is None
    assert local_environment({"PORT": "5432"}, None, FACTS) == {"PORT": "5432",
                                                                "AWS_ENDPOINT_URL": FACTS.endpoint_url}


# --- the site's sign-in endpoint ---------------------------------------------------------------

def test_the_regional_sign_in_endpoint_in_an_uploaded_json_document_becomes_the_local_one():
    issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1"
    body = json.dumps({"auth": {"endpoint": "https://cognito-idp.eu-west-1.amazonaws.com/", "issuer": issuer},
                       "more": ["https://cognito-idp.us-east-1.amazonaws.com"]}).encode()
    out = json.loads(with_local_sign_in(body, "http://127.0.0.1:9"))
    assert out["auth"]["endpoint"] == "http://127.0.0.1:9/"
    assert out["more"] == ["http://127.0.0.1:9/"]
    assert out["auth"]["issuer"] == issuer  # tokens keep Cognito's issuer


def test_other_objects_are_left_byte_for_byte():
    for body in (b"\x89PNG\r\n\x1a\n\x00", b'{"endpoint": "https://example.com/"}', b"<html></html>"):
        assert with_local_sign_in(body, "http://127.0.0.1:9") == body
    assert _is_json("application/json") and _is_json("application/ld+json; charset=utf-8")
    assert not _is_json("text/html") and not _is_json(None)


# --- seeding ---------------------------------------------------------------------------------

# An archive's contract: the services' own file, with this test's variables and users.
CONTRACT_SOURCE = CONTRACT_FILE.read_text() + '''
ITEMS_TABLE = Var("ITEMS_TABLE", "items", "test", seed="items_seed:seed_items")
VARIABLES = {"ITEMS_TABLE": ITEMS_TABLE}
LOCAL_USERS = ({"email": "one@example.com", "groups": ()},
               {"email": "two@example.com", "groups": ("staff", "unregistered")})
'''
SEED_SOURCE = 'def seed_items():\n    return [{"id": "a", "count": 2, "name": "first"}, {"id": "b", "count": 0}]\n'


def _archive(root: Path, name: str, with_seed: bool) -> Path:
    code = root / name
    (code / "shared").mkdir(parents=True)
    (code / "shared" / "contract.py").write_text(CONTRACT_SOURCE)
    if with_seed:
        (code / "items_seed.py").write_text(SEED_SOURCE)
    return code


def _function(name: str, code: Path, env: dict) -> LocalFunction:
    return LocalFunction(name=name, code_dir=code, handler="app.handler", environment=env, timeout_seconds=3,
                         memory_mb=128)


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


def _table(ddb, name: str) -> str:
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    return name


def test_an_empty_table_a_seeded_variable_names_gets_the_services_items(aws, tmp_path):
    ddb = boto3.client("dynamodb")
    empty, filled = _table(ddb, "items-1"), _table(ddb, "items-2")
    ddb.put_item(TableName=filled, Item={"id": {"S": "mine"}})
    # GIVEN a reader (no seed module in its archive) and a writer (with it) of one table,
    # and a function whose table already holds data
    functions = [_function("reader", _archive(tmp_path, "reader", False), {"ITEMS_TABLE": empty}),
                 _function("writer", _archive(tmp_path, "writer", True), {"ITEMS_TABLE": empty}),
                 _function("other", _archive(tmp_path, "other", True), {"ITEMS_TABLE": filled})]
    contracts = {fn.name: read_declarations(fn.code_dir) for fn in functions}
    # WHEN the tables are seeded
    written = seed_tables(ddb, functions, contracts, [empty, filled])
    # THEN the empty table holds the seed's items (typed), once; the other is untouched
    assert written == [empty]
    items = {i["id"]["S"]: i for i in ddb.scan(TableName=empty)["Items"]}
    assert items["a"] == {"id": {"S": "a"}, "count": {"N": "2"}, "name": {"S": "first"}}
    assert set(items) == {"a", "b"}
    assert [i["id"]["S"] for i in ddb.scan(TableName=filled)["Items"]] == ["mine"]
    assert seed_tables(ddb, functions, contracts, [empty, filled]) == []  # no longer empty


def test_a_seed_for_a_table_local_mode_did_not_create_is_a_clear_error(aws, tmp_path):
    fn = _function("writer", _archive(tmp_path, "writer", True), {"ITEMS_TABLE": "nowhere"})
    with pytest.raises(ValueError, match=r"ITEMS_TABLE='nowhere' of function writer has a seed "
                                         r"\(items_seed:seed_items\).*no DynamoDB table"):
        seed_tables(boto3.client("dynamodb"), [fn], {"writer": read_declarations(fn.code_dir)}, [])


def _pools(cognito, specs) -> list[CognitoPool]:
    pools = []
    for name, groups in specs:
        pool_id = cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
        for group in groups:
            cognito.create_group(UserPoolId=pool_id, GroupName=group)
        pools.append(CognitoPool(pool_id=pool_id, arn="", issuer="", jwks_url="", groups=groups, name=name))
    return pools


def test_users_join_only_the_groups_their_pool_registered(aws, tmp_path):
    from moto.moto_api._internal import mock_random

    cognito = boto3.client("cognito-idp")
    pools = _pools(cognito, (("with-staff", ("staff",)), ("plain", ())))
    contracts = [read_declarations(_archive(tmp_path, n, False)) for n in ("a", "b")]
    users = users_of(contracts)
    assert [u["email"] for u in users] == ["one@example.com", "two@example.com"]  # once each
    passwords = tmp_path / "users.json"

    signed_up = seed_users(cognito, pools, users, passwords, mock_random.seed)

    assert {(u["email"], tuple(u["groups"])) for u in signed_up} == {
        ("one@example.com", ()), ("two@example.com", ("staff", "unregistered"))}
    in_staff = cognito.list_users_in_group(UserPoolId=pools[0].pool_id, GroupName="staff")["Users"]
    assert [u["Username"] for u in in_staff] == ["two@example.com"]
    # the passwords survive a restart
    assert json.loads(passwords.read_text()) == {u["email"]: u["password"] for u in signed_up}
    again = seed_users(boto3.client("cognito-idp"), [], users, passwords, mock_random.seed)
    assert [u["password"] for u in again] == [u["password"] for u in signed_up]


def test_a_seeded_user_keeps_its_sub_across_restarts(aws, tmp_path):
    from moto.moto_api._internal import mock_random

    cognito = boto3.client("cognito-idp")
    users = users_of([read_declarations(_archive(tmp_path, "a", False))])
    specs = (("mobile-users", ()), ("web-users", ()))
    # GIVEN the users signed up in a run's pools
    first = seed_users(cognito, _pools(cognito, specs), users, tmp_path / "users.json", mock_random.seed)
    # WHEN the next run makes the pools again (new ids, same names) and signs them up again
    pools = _pools(cognito, specs)
    again = seed_users(cognito, pools, users, tmp_path / "users.json", mock_random.seed)
    # THEN each user has the sub it had in the pool of the same name, and subs are not shared
    by_name = [[sub for sub in u["subs"].values()] for u in first]
    assert [[sub for sub in u["subs"].values()] for u in again] == by_name
    assert len({sub for subs in by_name for sub in subs}) == 4
    user = cognito.admin_get_user(UserPoolId=pools[0].pool_id, Username="one@example.com")
    assert {"Name": "sub", "Value": again[0]["subs"][pools[0].pool_id]} in user["UserAttributes"]
    # AND ids made after the seeding do not follow from the seeds (else every run's refresh tokens would repeat)
    def sub_made_after_a_run() -> str:
        run_pools = _pools(cognito, specs)
        seed_users(cognito, run_pools, users, tmp_path / "users.json", mock_random.seed)
        made = cognito.admin_create_user(UserPoolId=run_pools[0].pool_id, Username="late@example.com",
                                         MessageAction="SUPPRESS")["User"]["Attributes"]
        return next(a["Value"] for a in made if a["Name"] == "sub")

    assert sub_made_after_a_run() != sub_made_after_a_run()


# --- method settings ----------------------------------------------------------------------------

def test_a_route_throttle_reaches_the_local_gateway_under_its_escaped_path(dev_stack):
    from local.provision.apis import read_apis

    # GIVEN the dev stack, whose POST /tickets has a method setting of its own
    api = next(r for r in dev_stack.of_type("aws:apigateway/restApi:RestApi") if r.name == "mobile-backend-api")
    (local_api,) = read_apis(dev_stack, {api.id: 1}, "us-east-1")
    # THEN the local gateway throttles that method by it, keyed as API Gateway names it
    assert local_api.method_throttles == {"~1tickets/POST": (10.0, 20)}
    assert (local_api.throttle_rate, local_api.throttle_burst) == (20.0, 40)
