"""Each check fails when what it checks is broken.

GIVEN local mode's dev stack, healthy, WHEN one thing answers as a broken stack would (a route
removed, a wrong config.json, a broken function, a missing header: the healthy answer rewritten
on its way back), THEN that check fails, saying what it expected, what came back and the request
id, while the checks it needs pass and the clean-up still leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from dataclasses import dataclass
from typing import Callable

import pytest

from verify import runner
from verify.http import Http, Response
from verify.runner import Result

@dataclass(frozen=True)
class Instead:
    """What a broken stack answers instead of the healthy one (the request is not sent)."""

    status: int
    body: dict | bytes
    headers: dict[str, str]

    def response(self, method: str, url: str) -> Response:
        body = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return Response(method, url, self.status, {"content-type": "application/json",
                                                   "x-amzn-requestid": f"broken-{uuid.uuid4()}", **self.headers},
                        body, 0.0)


Rewrite = Callable[[Response], Response]
Rule = tuple[Callable[[str, str, dict], bool], "Instead | Rewrite"]


class Broken(Http):
    """The healthy stack, but what the rules match is answered instead, or its answer rewritten."""

    def __init__(self, *rules: Rule):
        super().__init__()
        self.rules = rules
        self.matched = 0

    def send(self, method, url, headers, data):
        matched = [change for matches, change in self.rules if matches(method, url, dict(headers))]
        self.matched += len(matched)
        instead = next((c for c in matched if isinstance(c, Instead)), None)
        if instead is not None:
            return instead.response(method, url)
        response = super().send(method, url, headers, data)
        for rewrite in matched:
            response = rewrite(response)
        return response


def answer(status: int, body: dict | bytes, **headers: str) -> Instead:
    return Instead(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


def edit_json(change: Callable[[dict], dict]) -> Callable[[Response], Response]:
    return lambda r: dataclasses.replace(r, body=json.dumps(change(json.loads(r.body))).encode())


def drop_header(name: str) -> Callable[[Response], Response]:
    return lambda r: dataclasses.replace(r, headers={k: v for k, v in r.headers.items() if k != name})


def route(method: str, path_regex: str, when: Callable[[dict], bool] = lambda h: True):
    return lambda m, url, headers: m == method and re.search(path_regex + r"(\?|$)", url) and when(headers)


MISSING_ROUTE = answer(403, {"message": "Missing Authentication Token"},
                       x_amzn_errortype="MissingAuthenticationTokenException")
BROKEN_FUNCTION = answer(502, {"message": "Internal server error"})


def nth(n: int) -> Callable[[dict], bool]:
    """True for the n-th request the route matches (1: the first), and only for it."""
    seen = {"count": 0}

    def check(headers: dict) -> bool:
        seen["count"] += 1
        return seen["count"] == n
    return check


class WithoutIdempotency(Broken):
    """A stack that lost idempotency: a purchase after the first reaches the function as a new one."""

    def send(self, method, url, headers, data):
        if method == "POST" and url.endswith("/tickets"):
            self.matched += 1
            if self.matched > 1:
                headers = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
        return super().send(method, url, headers, data)


# check → (pattern, the broken stack's HTTP)
BREAKS: dict[str, tuple[str, Callable[[], Http]]] = {
    "site-headers": ("single_page_app", lambda: Broken((route("GET", r":\d+/"), drop_header("x-frame-options")))),
    "site-config": ("single_page_app", lambda: Broken((route("GET", r"/config\.json"), edit_json(
        lambda c: {**c, "apiUrl": "https://other.example.com/dev"})))),
    "site-page": ("single_page_app", lambda: Broken((route("GET", r"/js/app\.js"), answer(404, b"Not Found")))),
    "api-document": ("mobile_backend", lambda: Broken((route("GET", r"/openapi\.json"), edit_json(
        lambda d: {**d, "paths": {k: v for k, v in d["paths"].items() if k != "/tickets"}})))),
    "health": ("mobile_backend", lambda: Broken((route("GET", r"/health"), BROKEN_FUNCTION))),
    "undeclared-path": ("mobile_backend", lambda: Broken((route("GET", r"/verify-undeclared-\w+"),
                                                          answer(404, {"message": "Not Found"})))),
    "no-token": ("web_app", lambda: Broken((route("GET", r"/shows", lambda h: "Authorization" not in h),
                                            answer(200, {"items": []})))),
    "cors-preflight": ("web_app", lambda: Broken((route("OPTIONS", r"/shows"),
                                                  drop_header("access-control-allow-origin")))),
    # A stage without limits: its 429s never come.
    "throttling": ("microservices", lambda: Broken((route("GET", r"/health"),
                                                    lambda r: dataclasses.replace(r, status=200) if r.status == 429 else r))),
    "sign-in": ("web_app", lambda: Broken((lambda m, url, h: h.get("X-Amz-Target", "").endswith("RespondToAuthChallenge"),
                                           answer(400, {"__type": "NotAuthorizedException",
                                                        "message": "Incorrect username or password."},
                                                  x_amzn_requestid="cognito-request-1")))),
    "shows": ("mobile_backend", lambda: Broken((route("GET", r"/shows"), BROKEN_FUNCTION))),
    "buy-ticket": ("mobile_backend", lambda: Broken((route("POST", r"/tickets"), BROKEN_FUNCTION))),
    "replay-purchase": ("web_app", WithoutIdempotency),
    "read-ticket": ("single_page_app", lambda: Broken((route("GET", r"/tickets/[\w-]+"), MISSING_ROUTE))),
    # A second cancel accepted: the seat would go back on sale twice.
    "cancel-ticket": ("microservices", lambda: Broken((route("POST", r"/tickets/[\w-]+/cancel", nth(2)),
                                                       answer(200, {"status": "cancelled"})))),
    "venue-info": ("web_app", lambda: Broken((route("GET", r"/info/general"), answer(404, {"message": "Not found"})))),
    "venue-document": ("single_page_app", lambda: Broken((route("GET", r"/venue"), MISSING_ROUTE))),
}
# Checks whose failure names no request id locally: a burst, and the site servers (CloudFront's x-amz-cf-id on AWS).
NO_REQUEST_ID = {"throttling", "site-headers", "site-config", "site-page"}
SIGNED_IN = {"sign-in", "shows", "buy-ticket", "replay-purchase", "read-ticket", "cancel-ticket", "venue-info",
             "venue-document"}


def _run(target, pattern: str, check: str, http: Http) -> dict[str, Result]:
    return {r.check: r for r in runner.run_pattern(target, pattern, runner.select([check]), http)}


@pytest.mark.parametrize("check", sorted(BREAKS))
def test_each_check_fails_when_its_subject_breaks(check, dev_local):
    target = dev_local.target
    pattern, broken = BREAKS[check]
    http = broken()

    results = _run(target, pattern, check, http)

    assert http.matched, f"the break of {check} never applied"
    failed = results[check]
    assert failed.status == "fail", failed
    assert failed.expected and failed.actual, failed
    if check not in NO_REQUEST_ID:
        assert failed.request_id, failed
    others = [r for r in results.values() if r.check != check]
    assert all(r.status == "pass" for r in others), others  # what it needs passed, and the clean-up did
    assert ("cleanup" in results) == (check in SIGNED_IN), results


def test_the_same_checks_pass_unbroken(dev_local):
    """The baseline of the test above: each pattern it breaks passes its checks when nothing is rewritten."""
    target = dev_local.target
    for pattern in sorted({p for p, _ in BREAKS.values()}):
        checks = [c for c, (p, _) in BREAKS.items() if p == pattern]
        results = runner.run_pattern(target, pattern, runner.select(checks), Http())
        assert all(r.status == "pass" for r in results), [r for r in results if r.status != "pass"]


def test_a_failed_cancel_is_cleaned_up(dev_local):
    """GIVEN a cancel that fails once (a broken function) THEN the clean-up cancels the ticket and deletes the user."""
    http = Broken((route("POST", r"/tickets/[\w-]+/cancel", nth(1)), BROKEN_FUNCTION))
    results = _run(dev_local.target, "mobile_backend", "cancel-ticket", http)
    assert results["cancel-ticket"].status == "fail"
    assert results["cleanup"].status == "pass", results["cleanup"]
    last = http.answers[-1]  # the clean-up's: the ticket was still active, and now is not
    assert last.url.endswith("/cancel") and last.status == 200 and last.json()["status"] == "cancelled"


def test_the_cleanup_fails_when_a_cancel_fails(dev_local):
    """GIVEN every cancel answered 502 (they do reach the stack, so nothing stays bought) THEN the clean-up
    fails naming the ticket, rather than pass."""
    http = Broken((route("POST", r"/tickets/[\w-]+/cancel"),
                   lambda r: dataclasses.replace(r, status=502, body=b'{"message": "Internal server error"}')))
    results = _run(dev_local.target, "mobile_backend", "cancel-ticket", http)
    assert results["cancel-ticket"].status == "fail"
    assert results["cleanup"].status == "fail" and "ticket" in results["cleanup"].actual


def test_the_cleanup_fails_when_the_user_cannot_be_deleted(dev_local):
    target = dev_local.target
    admin = target.client("cognito-idp")

    class NoDelete:
        def __getattr__(self, name):
            return getattr(admin, name)

        def admin_delete_user(self, **params):
            raise RuntimeError("AccessDenied on cognito-idp:AdminDeleteUser")

    broken = dataclasses.replace(target, client=lambda service: NoDelete())
    results = {r.check: r for r in runner.run_pattern(broken, "microservices", runner.select(["sign-in"]), Http())}
    assert results["sign-in"].status == "pass"
    assert results["cleanup"].status == "fail" and "AdminDeleteUser" in results["cleanup"].actual
    email = results["sign-in"].reason.split()[0]
    admin.admin_delete_user(UserPoolId=target.patterns["microservices"].user_pool_id, Username=email)


def test_a_resuming_database_is_waited_for_not_failed(dev_local):
    """GIVEN /info answering 503 with Retry-After once (dev's paused Aurora) THEN the check waits and passes."""
    waits = []
    http = Broken((route("GET", r"/info", nth(1)), answer(503, {"message": "Unavailable: resuming"}, retry_after="7")))
    results = runner.run_pattern(dev_local.target, "mobile_backend", runner.select(["venue-info"]), http,
                                 sleep=waits.append)
    assert http.matched and waits == [7]
    assert all(r.status == "pass" for r in results), results


def _no_show_on_sale(when: Callable[[dict], bool] = lambda h: True) -> Broken:
    return Broken((route("GET", r"/shows\?from=[^/]*", when), lambda r: dataclasses.replace(r, body=b'{"items": []}')))


def test_without_a_show_on_sale_the_purchase_checks_skip_saying_why(dev_local):
    results = _run(dev_local.target, "web_app", "cancel-ticket", _no_show_on_sale())
    assert results["shows"].status == "pass" and "nothing to buy" in results["shows"].reason
    assert results["buy-ticket"].status == "skip" and "--create-show" in results["buy-ticket"].reason
    assert results["cancel-ticket"].status == "skip" and results["cleanup"].status == "pass"


def test_create_show_makes_the_verification_show_and_buys_from_it(dev_local):
    """GIVEN no show on sale and --create-show THEN the user, made an admin, creates the show; a later run finds it."""
    http = _no_show_on_sale(nth(1))
    results = {r.check: r for r in runner.run_pattern(dev_local.target, "microservices",
                                                      runner.select(["cancel-ticket"]), http, create_show=True)}
    assert all(r.status == "pass" for r in results.values()), results
    assert "created the verification show" in results["shows"].reason
    created = next(a for a in http.answers if a.method == "POST" and a.url.endswith("/shows")).json()
    assert created["title"] == "multitier verification (not a real show)" and created["starts_at"].startswith("2099")
    assert created["id"] in results["buy-ticket"].reason
    # The next run finds it on sale (the only one, here) and creates nothing.
    only_it = Broken((route("GET", r"/shows\?from=[^/]*"), edit_json(
        lambda page: {**page, "items": [s for s in page["items"] if s["id"] == created["id"]]})))
    rerun = {r.check: r for r in runner.run_pattern(dev_local.target, "microservices", runner.select(["buy-ticket"]),
                                                    only_it, create_show=True)}
    assert f"buying from {created['id']}" in rerun["shows"].reason and rerun["buy-ticket"].status == "pass"
    assert not any(a.method == "POST" and a.url.endswith("/shows") for a in only_it.answers)
