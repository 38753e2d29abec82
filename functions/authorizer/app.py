"""Lambda authorizer (TOKEN or REQUEST) validating third-party OIDC bearer tokens.

A valid token gets an IAM policy on the whole API (``.../stage/*/*``), so API Gateway's
cached result is right for every method, plus ``context.userId`` and ``context.groups``
(comma-separated: authorizer context values must be primitives). An invalid token raises
``Exception("Unauthorized")``, which API Gateway turns into 401; a valid token outside
``AUTHZ_REQUIRED_GROUP`` (when set) gets a Deny policy, i.e. 403.
"""

import functools
import re
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import APIGatewayAuthorizerResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.identity import parse_groups
from shared.observability import logger

from authorizer_settings import get_settings

@functools.cache
def _get_validator() -> Any:
    from token_validator import TokenValidator

    settings = get_settings()
    return TokenValidator(
        settings.issuer,
        settings.audiences,
        settings.jwks_url,
        settings.jwks_cache_seconds,
        settings.leeway_seconds,
        settings.jwks_cooldown_seconds,
        settings.token_uses,
    )


def extract_token(event: dict[str, Any]) -> str | None:
    """The bearer token of a TOKEN or REQUEST authorizer event, with or without ``Bearer ``."""
    if event.get("type") == "TOKEN":
        raw = event.get("authorizationToken")
    else:
        headers = event.get("headers") or {}
        raw = next((value for name, value in headers.items() if name.lower() == "authorization"), None)
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    return raw or None


# The services split ``context.groups`` on commas and whitespace (shared.identity.parse_groups).
_GROUP_SEPARATORS = re.compile(r'[,\s\[\]"]')


def representable_groups(groups: frozenset[str]) -> frozenset[str]:
    """Groups the comma-separated context can carry unambiguously.

    A name with a separator in it ("Ticket admins", "x,admins") would be read back by the
    services as several groups, one of which may be ``admins``; such names are dropped.
    """
    return frozenset(group for group in groups if not _GROUP_SEPARATORS.search(group))


def unauthorized() -> Exception:
    # The exact message "Unauthorized" is what makes API Gateway answer 401.
    return Exception("Unauthorized")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()  # fails clearly on a bad environment, at cold start
    from token_validator import InvalidToken

    method_arn = event.get("methodArn")
    if not isinstance(method_arn, str):
        logger.warning("Authorizer event without methodArn")
        raise unauthorized()
    token = extract_token(event)
    if token is None:
        logger.info("Denied: no bearer token")
        raise unauthorized()
    try:
        claims = _get_validator().validate(token)
    except InvalidToken as exc:
        logger.info("Denied: invalid token", extra={"reason": str(exc)})
        raise unauthorized() from None

    user_id = claims["sub"]
    groups = representable_groups(parse_groups(claims.get("cognito:groups", claims.get("groups"))))
    response = APIGatewayAuthorizerResponse.from_route_arn(
        method_arn,
        principal_id=user_id,
        context={"userId": user_id, "groups": ",".join(sorted(groups))},
    )
    if settings.required_group and settings.required_group not in groups:
        logger.info("Denied: caller not in required group", extra={"user_id": user_id})
        response.deny_all_routes()
    else:
        response.allow_all_routes()
        logger.info("Allowed", extra={"user_id": user_id})
    return response.asdict()
