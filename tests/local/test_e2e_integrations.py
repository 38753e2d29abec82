"""The integrations other than Lambda proxy, in local mode over real HTTP.

GIVEN the dev stack brought up from ``__main__.py`` (conftest ``local_stack``)
WHEN a client calls ``GET /health`` (mock), the web app's ``/info`` (non-proxy Lambda) and
the single-page app's ``GET /venue`` (S3 object through the integration's role)
THEN API Gateway's answers come back as the program declared them.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from local.engine import PROJECT_ROOT
from local.provision.identities import put_function_policy
from tests.local.conftest import http
from tests.local.test_e2e_patterns import PATTERNS

SEED = json.loads((PROJECT_ROOT / "functions" / "info" / "seed" / "venue.json").read_text())


def test_health_is_a_public_mock_on_every_api(local_stack):
    for api in local_stack.apis:
        response = http("GET", f"{api.url}/health")
        assert response.status == 200, (api.name, response.body)
        body = response.json()
        assert body["status"] == "ok" and body["stage"] == api.stage
        assert body["request_id"] == response.headers["x-amzn-requestid"]
    assert len(local_stack.apis) >= len(PATTERNS)


def test_web_app_info_goes_through_the_non_proxy_integration(patterns, sign_in, function_logs):
    web = patterns["web_app"]
    token = sign_in.id_token(web)
    assert http("GET", web.url("/info")).status == 401  # authorized like every data route

    venue = http("GET", web.url("/info"), token=token)
    assert venue.status == 200, venue.body
    assert venue.json() == SEED  # the response template unwraps {"section", "content"}
    section = http("GET", web.url("/info/transport"), token=token)
    assert section.json() == {"section": "transport", "content": SEED["transport"]}

    unknown = http("GET", web.url("/info/parking"), token=token)
    assert unknown.status == 400, unknown.body
    assert unknown.json()["message"].startswith("Bad request: unknown section 'parking'")
    # a quote (which $util.escapeJavaScript escapes as \', no JSON), a backslash, control and astral
    # characters: the request template still hands the function JSON, so the answer is its 400
    for odd in ("it's", "a\\'b", "\x9d\U00035ee8\""):
        hostile = http("GET", web.url("/info/" + quote(odd, safe="")), token=token)
        assert hostile.status == 400 and hostile.json()["message"].startswith("Bad request: unknown section"), odd
    refused = http("GET", web.url("/info/general"), token=token, headers={"Content-Type": "text/plain"})
    assert refused.status == 415  # passthroughBehavior never: no template for that type


def test_spa_venue_document_comes_from_s3_with_the_integration_roles_grant(local_stack, patterns, sign_in):
    spa = patterns["single_page_app"]
    token = sign_in.id_token(spa)
    url = spa.apis["info"] + "/venue"
    assert http("GET", url).status == 401  # the Lambda authorizer guards it like /info

    document = http("GET", url, token=token)
    assert document.status == 200, document.body
    assert document.headers["content-type"] == "application/json"
    assert json.loads(document.body) == SEED

    # WHEN the role API Gateway assumes loses its grant THEN S3 refuses it (moto's IAM), mapped to 404
    (arn, policy), = [(a, p) for a, p in local_stack.service_roles.items() if "venue" in a]
    role = arn.rsplit("/", 1)[-1]
    put_function_policy(local_stack.emulators.aws, role, {"Version": "2012-10-17", "Statement": []})
    try:
        denied = http("GET", url, token=token)
        assert (denied.status, denied.json()) == (404, {"message": "Not found"})
    finally:
        put_function_policy(local_stack.emulators.aws, role, policy)
    assert http("GET", url, token=token).status == 200


def test_mobile_backend_ticket_documents_live_on_the_mounted_file_system(local_stack, patterns, sign_in):
    mobile = patterns["mobile_backend"]
    token = sign_in.id_token(mobile)
    show = next(s for s in http("GET", mobile.url("/shows"), token=token).json()["items"] if s["remaining"] >= 1)
    bought = http("POST", mobile.url("/tickets"), token=token, body={"show_id": show["id"], "quantity": 1})
    assert bought.status == 201, bought.body
    ticket = bought.json()

    document = http("GET", mobile.url(f"/tickets/{ticket['id']}/document"), token=token)
    assert document.status == 200, document.body
    receipt = document.json()
    assert receipt["ticket_id"] == ticket["id"] and receipt["show_title"] == show["title"]
    assert receipt["price_cents"] == show["price_cents"]
    # THEN the document is a file in the folder standing in for the access point's root directory
    files = list((local_stack.data_dir / "file-systems").glob(f"*/tickets/{ticket['id']}.json"))
    assert len(files) == 1 and json.loads(files[0].read_text()) == receipt
    other = sign_in.new_user(mobile, "documents-other@example.com")
    assert http("GET", mobile.url(f"/tickets/{ticket['id']}/document"), token=other).status == 404
