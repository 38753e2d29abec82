"""boto3 for dynamic providers, as the stack's AWS provider would call AWS.

A dynamic provider runs in the engine's process with whatever credentials happen to be
ambient. Every explicit AWS provider of the stack gets the ``aws:*`` settings (profile,
assumed roles, allowed accounts, ...: ``multitier._settings.loader.provider_settings``); a
dynamic resource takes the part of them that concerns a boto3 session (``session_settings``)
as an input, and its provider builds its clients from it (``clients``): the region, the
profile, shared config and credential files, static keys, the chain of assumed roles (or a
web identity), per-service endpoints, and the account guard, which refuses before any call
with the AWS provider's own message.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

# The provider arguments a session honours; the others (tags, retries, proxies) do not change who calls where.
SESSION_SETTINGS = ("region", "profile", "shared_config_files", "shared_credentials_files", "access_key",
                    "secret_key", "token", "assume_roles", "assume_role_with_web_identity",
                    "allowed_account_ids", "forbidden_account_ids", "endpoints", "sts_region")
SESSION_NAME = "multitier-dynamic-provider"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


def session_settings(provider_settings: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of ``aws.Provider`` (snake_case, as the loader gives them) that a session honours."""
    return {key: value for key, value in provider_settings.items() if key in SESSION_SETTINGS and value is not None}


def _get(mapping: Mapping[str, Any], snake: str) -> Any:
    """A nested setting by its snake_case or camelCase name (stack files write camelCase)."""
    head, *rest = snake.split("_")
    return mapping.get(snake, mapping.get(head + "".join(part.title() for part in rest)))


def _seconds(duration: str | None) -> int | None:
    """A Go duration (``1h``, ``15m``, ``1h30m``) in whole seconds."""
    if not duration:
        return None
    parts = _DURATION.findall(str(duration))
    if not parts or "".join(n + u for n, u in parts) != str(duration):
        raise ValueError(f"assumed role duration {duration!r} must be a duration such as 15m or 1h")
    return int(sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts))


def _assume(sts: Any, role: Mapping[str, Any]) -> dict[str, str]:
    params: dict[str, Any] = {"RoleArn": _get(role, "role_arn"),
                              "RoleSessionName": _get(role, "session_name") or SESSION_NAME}
    for key, param in (("external_id", "ExternalId"), ("policy", "Policy"), ("source_identity", "SourceIdentity")):
        if _get(role, key):
            params[param] = _get(role, key)
    if _get(role, "policy_arns"):
        params["PolicyArns"] = [{"arn": arn} for arn in _get(role, "policy_arns")]
    if _get(role, "tags"):
        params["Tags"] = [{"Key": k, "Value": v} for k, v in _get(role, "tags").items()]
    if _get(role, "transitive_tag_keys"):
        params["TransitiveTagKeys"] = list(_get(role, "transitive_tag_keys"))
    if _seconds(_get(role, "duration")):
        params["DurationSeconds"] = _seconds(_get(role, "duration"))
    return sts.assume_role(**params)["Credentials"]


def _web_identity(sts: Any, role: Mapping[str, Any]) -> dict[str, str]:
    token = _get(role, "web_identity_token")
    if not token and _get(role, "web_identity_token_file"):
        with open(_get(role, "web_identity_token_file")) as file:
            token = file.read().strip()
    params: dict[str, Any] = {"RoleArn": _get(role, "role_arn"), "WebIdentityToken": token,
                              "RoleSessionName": _get(role, "session_name") or SESSION_NAME}
    if _seconds(_get(role, "duration")):
        params["DurationSeconds"] = _seconds(_get(role, "duration"))
    return sts.assume_role_with_web_identity(**params)["Credentials"]


def clients(settings: Mapping[str, Any]) -> Callable[[str], Any]:
    """``client(service)`` for the account and role the stack's AWS provider would use.

    Raises ``PermissionError`` when the account is not allowed (``allowed_account_ids``) or
    forbidden (``forbidden_account_ids``), before any other call.
    """
    import boto3  # at deploy time only: previews and tests of the program never call AWS
    import botocore.session

    core = botocore.session.Session(profile=settings.get("profile"))
    for key, variable in (("shared_config_files", "config_file"), ("shared_credentials_files", "credentials_file")):
        if settings.get(key):  # botocore reads one file of each kind: the first, as the AWS CLI does
            core.set_config_variable(variable, list(settings[key])[0])
    session = boto3.Session(botocore_session=core, region_name=settings.get("region"),
                            aws_access_key_id=settings.get("access_key"),
                            aws_secret_access_key=settings.get("secret_key"), aws_session_token=settings.get("token"))
    endpoints: dict[str, str] = {}
    for entry in settings.get("endpoints") or []:
        endpoints.update({service: url for service, url in entry.items() if url})

    def sts_client(current: Any) -> Any:
        return current.client("sts", region_name=settings.get("sts_region") or settings.get("region"),
                              endpoint_url=endpoints.get("sts"))

    web_identity = settings.get("assume_role_with_web_identity")
    roles = list(settings.get("assume_roles") or [])
    if web_identity:
        session = _session_of(_web_identity(sts_client(session), web_identity), settings)
    for role in roles:
        session = _session_of(_assume(sts_client(session), role), settings)
    if settings.get("allowed_account_ids") or settings.get("forbidden_account_ids"):
        account = sts_client(session).get_caller_identity()["Account"]
        allowed = [str(a) for a in settings.get("allowed_account_ids") or []]
        if allowed and account not in allowed:
            raise PermissionError(f"AWS account ID not allowed: {account} (aws:allowedAccountIds {allowed})")
        if account in [str(a) for a in settings.get("forbidden_account_ids") or []]:
            raise PermissionError(f"AWS account ID not allowed: {account} (it is in aws:forbiddenAccountIds)")

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoints.get(service))
    return client


def _session_of(credentials: Mapping[str, str], settings: Mapping[str, Any]) -> Any:
    import boto3

    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=settings.get("region"))
