"""Amplify Hosting's stand-in, without the stack: rules, headers and refusals on a zip of its own."""

from __future__ import annotations

import io
import zipfile

import pytest

from multitier._presentation.amplify_hosting import SPA_REWRITE_SOURCE, security_headers
from local.amplify import AmplifyServer
from local.model import LocalAmplifyApp
from local.provision.amplify import _rule, custom_headers


class FakeS3:
    def __init__(self, files: dict[str, bytes]):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, body in files.items():
                archive.writestr(name, body)
        self.zip = buffer.getvalue()

    def get_object(self, Bucket: str, Key: str) -> dict:  # noqa: N803 - boto3's names
        assert (Bucket, Key) == ("builds", "app/build-1.zip")
        return {"Body": io.BytesIO(self.zip)}


def server(rules, headers=()) -> AmplifyServer:
    app = LocalAmplifyApp(name="app", port=0, bucket="builds", key="app/build-1.zip", rules=rules, headers=headers)
    files = {"index.html": b"<html>app</html>", "js/app.js": b"export {}", "docs/index.html": b"<p>docs</p>",
             "old.html": b"old"}
    return AmplifyServer(app, FakeS3(files), connect_origins=["http://127.0.0.1:9000"])


def test_the_spa_rewrite_serves_the_page_for_routes_but_never_for_assets():
    amplify = server([(SPA_REWRITE_SOURCE, "/index.html", "200")])
    assert amplify.respond("/")[:2] == (200, b"<html>app</html>")
    assert amplify.respond("/shows/7?x=1")[:2] == (200, b"<html>app</html>")
    status, body, headers = amplify.respond("/js/app.js")
    assert (status, body) == (200, b"export {}") and "javascript" in headers["Content-Type"]
    assert amplify.respond("/js/none.js")[0] == 404


def test_redirects_and_rewrites_of_what_is_missing_in_rule_order():
    amplify = server([("/old.html", "/new", "301"), ("</^/docs/.*/>", "/docs/index.html", "404-200")])
    assert amplify.respond("/old.html")[0] == 301 and amplify.respond("/old.html")[2]["Location"] == "/new"
    assert amplify.respond("/docs/missing")[:2] == (200, b"<p>docs</p>")
    assert amplify.respond("/docs/")[:2] == (200, b"<p>docs</p>")


def test_custom_headers_by_pattern_and_the_local_sign_in_in_the_csp():
    headers = custom_headers(security_headers("default-src 'self'; connect-src 'self' https://api.example"))
    headers.append(("*.js", {"Cache-Control": "max-age=31536000"}))
    amplify = server([], headers)
    page = amplify.respond("/")[2]
    assert page["X-Frame-Options"] == "DENY" and "Cache-Control" not in page
    assert page["Content-Security-Policy"] == ("default-src 'self'; connect-src 'self' https://api.example "
                                               "http://127.0.0.1:9000")
    assert amplify.respond("/js/app.js")[2]["Cache-Control"] == "max-age=31536000"


@pytest.mark.parametrize("rule", [{"source": "/<*>", "target": "/index.html", "status": "200"},
                                  {"source": "/a", "target": "/b", "status": "404"},
                                  {"source": "/a", "target": "/b", "status": "200", "condition": "<US>"}])
def test_rules_local_mode_cannot_honour_are_refused_by_name(rule):
    with pytest.raises(ValueError, match=r"Amplify app web: custom rule .* is not emulated"):
        _rule("web", rule)
