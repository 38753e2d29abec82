"""Local mode, once per test session: the dev stack from the real program on free ports.

Every test here talks to it over real HTTP (the gateways, moto, the site servers);
the fixture stops every process it started.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.running import Running
from local.up import LocalMode

STACK = os.environ.get("MULTITIER_LOCAL_TEST_STACK", "dev")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def http(method: str, url: str, *, token: str | None = None, body: Any = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
    """One HTTP request with the standard library; never raises for HTTP statuses.

    ``body`` is sent as JSON, or as it is when it is bytes."""
    all_headers = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    if token is not None:
        all_headers["Authorization"] = token
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


class FunctionLogs:
    """Every line the workers and gateways wrote, for assertions and failure reports."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, function: str, line: str) -> None:
        with self._lock:
            self.lines.append((function, line))

    def of(self, function: str) -> list[str]:
        with self._lock:
            return [line for f, line in self.lines if f == function]

    def tail(self, n: int = 40) -> str:
        with self._lock:
            return "\n".join(f"[{f}] {line}" for f, line in self.lines[-n:])


@pytest.fixture(scope="session")
def function_logs() -> FunctionLogs:
    return FunctionLogs()


@pytest.fixture(scope="session")
def local_stack(function_logs) -> Running:
    """What runs (``LocalMode.start()``'s record): every test reads this, never local mode's parts."""
    # Not pytest's tmp_path: PostgreSQL runs as another system user when root, and
    # pytest keeps its base folder private (0700).
    state_root = Path(tempfile.mkdtemp(prefix="mt-local-test-"))
    mode = LocalMode(STACK, fresh=True, state_root=state_root, log=lambda line: function_logs("local", line),
                     on_function_log=function_logs)
    try:
        yield mode.start()
    finally:
        mode.stop()
        shutil.rmtree(state_root, ignore_errors=True)


@dataclass
class Pattern:
    """One pattern's endpoints and sign-in, read from the stack outputs and the APIs' documents."""

    name: str
    pool_id: str
    client_id: str
    apis: dict[str, str]   # first path segment ("shows", "tickets", "info") → base URL

    def url(self, path: str) -> str:
        return self.apis[path.strip("/").split("?")[0].split("/")[0]] + path


def patterns_of(running: Running) -> dict[str, Pattern]:
    outputs = running.outputs
    found: dict[str, Pattern] = {}
    for api in running.apis:
        pattern = running.pattern_of(api.name)
        if not pattern:
            continue
        entry = found.setdefault(pattern, Pattern(pattern, outputs.get(f"{pattern}_user_pool_id", ""),
                                                  outputs.get(f"{pattern}_client_id", ""), {}))
        for path in api.openapi.get("paths") or {}:
            entry.apis.setdefault(path.strip("/").split("/")[0], api.url)
    return found


@pytest.fixture(scope="session")
def patterns(local_stack) -> dict[str, Pattern]:
    return patterns_of(local_stack)


class SignIn:
    """Tokens from the emulator's Cognito (admin auth through the provisioning identity)."""

    def __init__(self, running: Running):
        self.cognito = running.emulators.cognito.client("cognito-idp")
        self.running = running
        self._cache: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()

    def tokens(self, pattern: Pattern, email: str, password: str | None = None) -> dict:
        with self._lock:
            key = (pattern.pool_id, email)
            if key not in self._cache:
                password = password or self.running.user(email).password
                result = self.cognito.admin_initiate_auth(
                    UserPoolId=pattern.pool_id, ClientId=pattern.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": email, "PASSWORD": password})
                self._cache[key] = result["AuthenticationResult"]
            return self._cache[key]

    def id_token(self, pattern: Pattern, email: str = "demo@example.com") -> str:
        return self.tokens(pattern, email)["IdToken"]

    def new_user(self, pattern: Pattern, email: str, password: str = "Other-Passw0rd!") -> str:
        """A second, ordinary user in the pattern's pool; returns its id token."""
        try:
            self.cognito.admin_create_user(UserPoolId=pattern.pool_id, Username=email, MessageAction="SUPPRESS",
                                           UserAttributes=[{"Name": "email", "Value": email}])
            self.cognito.admin_set_user_password(UserPoolId=pattern.pool_id, Username=email, Password=password,
                                                 Permanent=True)
        except self.cognito.exceptions.UsernameExistsException:
            pass
        return self.tokens(pattern, email, password)["IdToken"]


@pytest.fixture(scope="session")
def sign_in(local_stack) -> SignIn:
    return SignIn(local_stack)


@pytest.fixture(autouse=True)
def _report_logs_on_failure(request, function_logs):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print("---- last function/gateway log lines ----\n" + function_logs.tail(12))


def pytest_collection_modifyitems(items):
    """The API fuzzing (test_fuzz.py) changes the demo data the other tests read: it runs last."""
    items.sort(key=lambda item: item.path.name == "test_fuzz.py")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
