"""An Amplify app served as Amplify Hosting serves its branch: from the deployed zip.

The zip (the staged build with the runtime config the deployment added) is read from the
emulator's S3 at start and again after a new deployment (``refresh``). Each request goes through the app's custom rules in order (the
first whose source matches: a rewrite, a redirect, or a rewrite of what the zip lacks),
``/`` and folders serve their ``index.html``, and every response carries the custom
headers whose pattern matches. As for CloudFront sites, the CSP's ``connect-src`` also
lists the local sign-in endpoint. The HTTP side is ``SiteServer``'s.
"""

from __future__ import annotations

import fnmatch
import io
import mimetypes
import re
import threading
import zipfile
from typing import Any
from urllib.parse import unquote, urlparse

from local.cloudfront.site_server import SiteServer, with_connect_origins
from local.model import LocalAmplifyApp

_TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")


class AmplifyServer(SiteServer):
    """Serves one Amplify app on 127.0.0.1:<app.port> until ``stop()``."""

    def __init__(self, app: LocalAmplifyApp, s3: Any, connect_origins: list[str] = ()):
        self.site = app
        self.s3 = s3
        self.files: dict[str, bytes] = {}
        self.refresh()
        self.header_rules = [(pattern, {k: with_connect_origins(v, list(connect_origins))
                                        if k.lower() == "content-security-policy" else v
                                        for k, v in headers.items()}) for pattern, headers in app.headers]
        self._lock = threading.Lock()
        self.httpd = None
        self.thread = None

    def refresh(self) -> None:
        """Read the deployed zip (again: a new deployment of the same app replaced it)."""
        body = self.s3.get_object(Bucket=self.site.bucket, Key=self.site.key)["Body"].read()
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}

    def respond(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        requested = unquote(urlparse(path).path) or "/"
        served, redirect = requested, None
        for source, target, status in self.site.rules:
            if not _matches(source, requested):
                continue
            if status in ("301", "302"):
                redirect = (int(status), target)
            elif status == "200" or self._file(requested) is None:  # 404-200: only what the zip lacks
                served = target
            break
        headers = self._headers(requested)
        if redirect:
            return redirect[0], b"", {**headers, "Location": redirect[1]}
        body = self._file(served)
        if body is None:
            return 404, b"404 Not Found\n", {**headers, "Content-Type": "text/plain; charset=utf-8"}
        return 200, body, {**headers, "Content-Type": _content_type(_key(served))}

    def _file(self, path: str) -> bytes | None:
        return self.files.get(_key(path))

    def _headers(self, path: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        for pattern, values in self.header_rules:
            if pattern == "**" or fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.lstrip("/"), pattern):
                headers.update(values)
        return headers


def _matches(source: str, path: str) -> bool:
    if source.startswith("</") and source.endswith("/>"):
        return re.search(source[2:-2], path) is not None
    return source == path


def _key(path: str) -> str:
    """The zip entry a path names: a folder (or ``/``) names its ``index.html``."""
    key = path.lstrip("/")
    return key + "index.html" if key == "" or key.endswith("/") else key


def _content_type(key: str) -> str:
    media = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return f"{media}; charset=utf-8" if media.startswith(_TEXT) else media
