"""The web app's front end on Amplify Hosting, in local mode over real HTTP.

GIVEN the dev stack (the web app's ``siteHosting`` is amplify, the default)
WHEN a browser asks the Amplify app for pages, assets and the runtime config
THEN it is served from the zip the deployment published, with the app's rewrite rule
and custom headers, and its config names the local API and sign-in.
"""

from __future__ import annotations

from local import endpoints
from tests.local.conftest import http


def _web_app_site(local_stack):
    (app,) = [a for a in local_stack.amplify_apps if a.name.startswith("web-app")]
    return app


def test_the_web_app_is_the_amplify_app_not_a_cloudfront_site(local_stack):
    app = _web_app_site(local_stack)
    assert not [s for s in local_stack.sites if s.name.startswith("web-app")]
    assert app.rules and app.rules[0][2] == "200"  # the SPA rewrite


def test_the_endpoints_document_lists_every_patterns_sites_the_amplify_app_included(local_stack):
    sites = {pattern: entry["sites"] for pattern, entry in endpoints.document(local_stack)["patterns"].items()}
    assert sites["web_app"] == [_web_app_site(local_stack).url]
    assert sites["single_page_app"] == [s.url for s in local_stack.sites if s.name.startswith("single-page")]


def test_pages_assets_and_the_rewrite_rule(local_stack):
    app = _web_app_site(local_stack)
    index = http("GET", app.url)
    assert index.status == 200 and index.headers["content-type"].startswith("text/html")
    assert b"<html" in index.body.lower()
    route = http("GET", app.url + "shows/123")  # an app route: no file, rewritten to the page
    assert route.status == 200 and route.body == index.body
    script = http("GET", app.url + "js/app.js")
    assert script.status == 200 and "javascript" in script.headers["content-type"]
    assert http("GET", app.url + "js/missing.js").status == 404  # an asset is never rewritten


def test_custom_headers_with_the_csp_naming_the_api_and_sign_in(local_stack, patterns):
    app = _web_app_site(local_stack)
    headers = http("GET", app.url).headers
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and local_stack.emulators.sign_in in csp


def test_runtime_config_names_the_local_api_and_sign_in(local_stack, patterns):
    app = _web_app_site(local_stack)
    config = http("GET", app.url + "config.json").json()
    assert config["pattern"] == "web_app" and config["stack"] == local_stack.stack
    assert config["apiUrl"] == patterns["web_app"].apis["shows"]
    assert config["auth"]["endpoint"] == local_stack.emulators.sign_in + "/"
    assert config["auth"]["clientId"] == patterns["web_app"].client_id
