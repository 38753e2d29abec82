"""Sample API Gateway REST (v1) proxy events and a fake Lambda context for handler tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
API_ID = "a1b2c3d4e5"
STAGE = "dev"


@dataclass
class FakeLambdaContext:
    """What Powertools reads from a Lambda context object."""

    function_name: str = "multitier-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/multitier-test"
    log_stream_name: str = "2026/01/01/[$LATEST]abcdef"
    remaining_ms: int = 29_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def cognito_authorizer(sub: str, groups: str | None = None, email: str | None = None) -> dict[str, Any]:
    """``requestContext.authorizer`` as the Cognito user-pool authorizer fills it."""
    claims: dict[str, Any] = {
        "sub": sub,
        "token_use": "id",
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_example",
        "email": email or f"{sub}@example.com",
    }
    if groups is not None:
        claims["cognito:groups"] = groups
    return {"claims": claims}


def lambda_authorizer(user_id: str, groups: str = "") -> dict[str, Any]:
    """``requestContext.authorizer`` as our Lambda authorizer's context fills it."""
    return {"principalId": user_id, "userId": user_id, "groups": groups, "integrationLatency": 12}


def api_event(
    method: str,
    resource: str,
    path: str | None = None,
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Build a REST API proxy event (payload v1) the way API Gateway sends it."""
    if path is None:
        path = resource
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", value)
    all_headers = {
        "Accept": "application/json",
        "Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "User-Agent": "pytest",
        "X-Forwarded-Proto": "https",
        **({"Content-Type": "application/json"} if body is not None else {}),
        **(headers or {}),
    }
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": request_id[:16],
            "requestTime": "01/Jan/2026:12:00:00 +0000",
            "path": f"/{STAGE}{path}",
            "accountId": ACCOUNT,
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": API_ID,
            "requestTimeEpoch": 1767268800000,
            "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
            "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
            "apiId": API_ID,
            **({"authorizer": authorizer} if authorizer is not None else {}),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def method_arn(method: str = "GET", path: str = "shows") -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{STAGE}/{method}/{path}"


def token_authorizer_event(token: str | None, method: str = "GET", path: str = "shows") -> dict[str, Any]:
    event: dict[str, Any] = {"type": "TOKEN", "methodArn": method_arn(method, path)}
    if token is not None:
        event["authorizationToken"] = token
    return event


def request_authorizer_event(authorization: str | None, method: str = "GET", path: str = "shows") -> dict[str, Any]:
    headers = {"Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return {
        "type": "REQUEST",
        "methodArn": method_arn(method, path),
        "resource": f"/{path}",
        "path": f"/{path}",
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": {"apiId": API_ID, "stage": STAGE, "accountId": ACCOUNT, "requestId": str(uuid.uuid4())},
    }


def parse(response: dict[str, Any]) -> tuple[int, Any]:
    """(statusCode, decoded JSON body) of a proxy response."""
    body = response.get("body")
    return response["statusCode"], json.loads(body) if body else None


