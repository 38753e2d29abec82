"""A site served as its CloudFront distribution would: from the emulator's bucket.

Objects are read from moto's S3 with the provisioning identity (CloudFront's
origin access); the distribution's default root object and custom error
responses (the SPA fallback: 403/404 → 200 /index.html) apply, and every
response carries the response-headers policy's security headers. One local
difference: the CSP's ``connect-src`` also lists the local Cognito endpoint,
because the site signs in there instead of at Cognito's regional endpoint.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import unquote, urlparse

from local._http import LoopbackServer, QuietHandler, serve, shut_down
from local.model import LocalSite


def with_connect_origins(csp: str, origins: list[str]) -> str:
    """Add origins to a CSP's ``connect-src`` (creating the directive if needed)."""
    if not csp or not origins:
        return csp
    extra = " ".join(o for o in origins if o not in csp)
    if not extra:
        return csp
    if re.search(r"(^|;)\s*connect-src\b", csp):
        return re.sub(r"((?:^|;)\s*connect-src\b[^;]*)", lambda m: f"{m.group(1)} {extra}", csp, count=1)
    return f"{csp}; connect-src 'self' {extra}"


class SiteServer:
    """Serves one site on 127.0.0.1:<site.port> until ``stop()``."""

    def __init__(self, site: LocalSite, s3: Any, connect_origins: list[str] = ()):
        self.site = site
        self.s3 = s3
        self.headers = dict(site.headers)
        if "Content-Security-Policy" in self.headers:
            self.headers["Content-Security-Policy"] = with_connect_origins(self.headers["Content-Security-Policy"],
                                                                           list(connect_origins))
        self._lock = threading.Lock()
        self.httpd: LoopbackServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.site.url

    def fetch(self, key: str) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) of one object as the distribution would answer."""
        try:
            with self._lock:  # one boto3 client shared by the handler threads
                obj = self.s3.get_object(Bucket=self.site.bucket, Key=key)
                body = obj["Body"].read()
        except Exception as error:  # noqa: BLE001 (S3 errors become HTTP statuses)
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            status = 404 if code in ("NoSuchKey", "404", "NoSuchBucket") else 403 if code in ("AccessDenied", "403") \
                else 502
            return status, b"", {}
        headers = {"Content-Type": obj.get("ContentType") or "application/octet-stream",
                   "ETag": obj.get("ETag", "")}
        if obj.get("CacheControl"):
            headers["Cache-Control"] = obj["CacheControl"]
        return 200, body, headers

    def refresh(self) -> None:
        """The bucket's content changed: nothing to do, every request reads it."""

    def respond(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        key = unquote(urlparse(path).path).lstrip("/")
        if key == "" or key.endswith("/"):
            key += self.site.root_object
        status, body, headers = self.fetch(key)
        if status != 200 and status in self.site.fallback:
            code, page = self.site.fallback[status]
            fallback_status, body, headers = self.fetch(page.lstrip("/"))
            status = code if fallback_status == 200 else fallback_status
        if status != 200 and not body:
            body = f"{status} {'Not Found' if status == 404 else 'Error'}\n".encode()
            headers = {"Content-Type": "text/plain; charset=utf-8"}
        return status, body, {**headers, **self.headers}

    def start(self) -> "SiteServer":
        server = self

        class Handler(QuietHandler):

            def _serve(self, with_body: bool) -> None:
                status, body, headers = server.respond(self.path)
                etag = headers.get("ETag")
                if status == 200 and etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    if value:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body and status != 304:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(False)

            def _refuse(self) -> None:
                self.send_response(405)
                self.send_header("Allow", "GET, HEAD, OPTIONS")
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

            def do_OPTIONS(self) -> None:  # noqa: N802
                self.send_response(204)
                self.send_header("Allow", "GET, HEAD, OPTIONS")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = LoopbackServer(("127.0.0.1", self.site.port), Handler)
        self.thread = serve(self.httpd, f"site-{self.site.name}")
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            shut_down(self.httpd)
            self.httpd = None
