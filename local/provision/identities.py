"""Each function's IAM identity in moto: an IAM user holding exactly its role's statements.

The roles API Gateway assumes for service integrations (``credentials``) get one too,
and the gateway signs its S3 reads with it.

IAM roles are not emulated as roles: each function gets an IAM *user* holding its
role policies' statements, with resources widened to ``*`` (moto matches statements
only against ``*``), and its worker signs with that user's keys, so moto's IAM
enforcement denies anything the role does not grant.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from local.emulators.moto_server import MotoServer
from local.engine import Recording, Registration

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


def role_policy(recording: Recording, function: Registration) -> dict:
    """The widened statements of every policy on the function's role, as one policy."""
    return policy_of_role(recording, function.inputs.get("role"))


def policy_of_role(recording: Recording, role_arn: str | None) -> dict:
    """The widened statements of every policy on the role ``role_arn``, as one policy."""
    roles = {r.outputs.get("arn"): r for r in recording.of_type("aws:iam/role:Role")}
    role = roles.get(role_arn)
    statements: list[dict] = []
    if role is not None:
        keys = {role.id, role.outputs.get("name")}  # RolePolicy.role is the role's id (= name)
        for policy in recording.of_type("aws:iam/rolePolicy:RolePolicy"):
            if policy.inputs.get("role") in keys:
                statements += widen(policy.inputs["policy"])["Statement"]
    seen: set[str] = set()
    for index, statement in enumerate(statements):  # several policies may reuse a Sid
        if statement.get("Sid") in seen:
            statement["Sid"] = f"{statement['Sid']}{index}"
        seen.add(statement.get("Sid"))
    return {"Version": "2012-10-17", "Statement": statements}


def function_identity(moto: MotoServer, name: str, policy: Mapping[str, Any], iam: Any = None) -> dict[str, str]:
    """An IAM user for one function (or a role API Gateway assumes) with exactly ``policy``; returns its keys
    as env vars."""
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
