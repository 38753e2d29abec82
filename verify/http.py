"""HTTP for the checks: the standard library, every answer kept with its request id and timing."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

# Where each service names the request: API Gateway and Cognito, CloudFront (and Amplify), S3.
REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amz-cf-id", "x-amz-request-id")
USER_AGENT = "multitier-verify"


@dataclass(frozen=True)
class Response:
    method: str
    url: str
    status: int
    headers: Mapping[str, str]   # lower-case names
    body: bytes
    seconds: float

    @property
    def request_id(self) -> str | None:
        return next((self.headers[h] for h in REQUEST_ID_HEADERS if self.headers.get(h)), None)

    def json(self) -> Any:
        """The body as JSON; None when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def summary(self, limit: int = 300) -> str:
        """``<status> <body>`` shortened, for a failure's "got"."""
        text = self.body.decode("utf-8", "replace").strip().replace("\n", " ")
        return f"{self.status} {text[:limit]}{'...' if len(text) > limit else ''}".strip()


class Http:
    """Sends requests and remembers each answer (the access-log check looks for their request ids).

    Tests put a broken stack in front of a healthy one by overriding ``send``.
    """

    def __init__(self, timeout: float = 30):
        self.timeout = timeout
        self.answers: list[Response] = []
        self._lock = threading.Lock()

    def __call__(self, method: str, url: str, *, token: str | None = None, body: Any = None,
                 headers: Mapping[str, str] | None = None) -> Response:
        """One request; ``body`` is sent as JSON (or as it is, when bytes). Never raises for an HTTP status."""
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if token is not None:
            all_headers["Authorization"] = token
        response = self.send(method, url, all_headers, data)
        with self._lock:
            self.answers.append(response)
        return response

    def send(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None) -> Response:
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, answer_headers, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, body = error.code, error.headers, error.read()
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ConnectionError(f"{method} {url}: {reason}") from None
        return Response(method, url, status, {k.lower(): v for k, v in answer_headers.items()}, body,
                        time.perf_counter() - started)
