"""Seed data the services declare, put into what the program registered.

* Users: every ``LOCAL_USERS`` entry of the contracts is signed up in every user
  pool with a generated password (kept in ``users.json`` across runs); a user joins
  only the groups that pool registered. A user the pool keeps from an earlier run
  keeps its ``sub`` and gets the password again; a new one is made with the
  emulator's random generator seeded from the pool's and the user's names, so even
  after ``--fresh`` it has the same ``sub`` (and with it what it owns); then the
  generator is seeded at random again, so tokens stay unpredictable.
* Items: a contract variable with a ``seed`` (``"module:function"``) names a table
  in the function's environment; when that table is empty, the function is called
  from the unpacked archive of a function that carries the module, and its items
  are written.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from boto3.dynamodb.types import TypeSerializer

from local.model import CognitoPool, LocalFunction
from local.provision.declarations import Declarations, load_module
from local.state import put_items


def users_of(declarations: Iterable[Declarations]) -> list[dict[str, Any]]:
    """Every archive's local users, once each (by email), in declaration order."""
    users: dict[str, dict[str, Any]] = {}
    for declared in declarations:
        for user in declared.users:
            users.setdefault(user["email"], {"email": user["email"], "groups": list(user.get("groups") or ())})
    return list(users.values())


def seed_users(cognito: Any, pools: Sequence[CognitoPool], users: Sequence[Mapping[str, Any]],
               passwords_file: Path, seed_random: Callable[[int], None]) -> list[dict[str, Any]]:
    """Sign ``users`` up in every pool with permanent passwords; returns them with passwords and subs.

    ``seed_random`` seeds the generator the emulator makes user ids (subs) with.
    """
    passwords = json.loads(passwords_file.read_text()) if passwords_file.is_file() else {}
    signed_up = []
    for user in users:
        email, groups = user["email"], list(user["groups"])
        password = passwords.setdefault(email, "Local-" + secrets.token_urlsafe(9) + "9!")
        subs = {}
        for pool in pools:
            seed_random(int.from_bytes(hashlib.sha256(f"{pool.name}\n{email}".encode()).digest()[:7], "big"))
            try:
                attributes = cognito.admin_create_user(
                    UserPoolId=pool.pool_id, Username=email, MessageAction="SUPPRESS",
                    UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
                )["User"]["Attributes"]
            except cognito.exceptions.UsernameExistsException:  # kept from an earlier run
                attributes = cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)["UserAttributes"]
            subs[pool.pool_id] = next(a["Value"] for a in attributes if a["Name"] == "sub")
            cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password,
                                            Permanent=True)
            for group in groups:
                if group in pool.groups:
                    cognito.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=email, GroupName=group)
        signed_up.append({"email": email, "password": password, "groups": groups, "subs": subs})
    seed_random(secrets.randbits(56))
    passwords_file.write_text(json.dumps(passwords, indent=1))
    passwords_file.chmod(0o600)
    return signed_up


def seed_tables(ddb: Any, functions: Sequence[LocalFunction], declarations: Mapping[str, Declarations],
                tables: Iterable[str]) -> list[str]:
    """Fill each empty table a seeded variable names; returns the tables written."""
    tables = set(tables)
    considered: set[str] = set()
    written = []
    for fn in functions:
        declared = declarations.get(fn.name)
        for var in (declared.variables.values() if declared else ()):
            table = fn.environment.get(var.name)
            if not var.seed or not table or table in considered:
                continue
            module, _, function = var.seed.partition(":")
            source = Path(fn.code_dir) / (module.replace(".", "/") + ".py")
            if not source.is_file():
                continue  # another function's archive carries the seed
            considered.add(table)
            if table not in tables:
                raise ValueError(f"{var.name}={table!r} of function {fn.name} has a seed ({var.seed}), "
                                 f"but local mode created no DynamoDB table of that name")
            if ddb.scan(TableName=table, Limit=1, Select="COUNT")["Count"]:
                continue
            seed = getattr(load_module(source), function, None)
            if not callable(seed):
                raise ValueError(f"seed {var.seed} of {var.name}: {source.name} defines no function {function!r}")
            serialize = TypeSerializer().serialize
            put_items(ddb, table, [{k: serialize(v) for k, v in item.items()} for item in seed()])
            written.append(table)
    return written
