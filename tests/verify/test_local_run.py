"""``python -m verify --stack S --target local`` passes against local mode, for both stacks.

GIVEN each stack in local mode (conftest), WHEN the suite runs as a user runs it, THEN it exits 0,
every pattern the stack runs has every check that applies to it, the reports agree, and what it
bought and the user it made are gone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from local import engine
from tests.verify.conftest import ROOT, LocalStack

# Every check of a local run (AWS-only checks excluded), per pattern; then those of a site and of GET /venue.
PER_PATTERN = {"api-document", "health", "undeclared-path", "no-token", "cors-preflight", "throttling", "sign-in",
               "shows", "buy-ticket", "replay-purchase", "read-ticket", "cancel-ticket", "venue-info", "cleanup"}
PER_SITE = {"site-headers", "site-config", "site-page"}


def _expected(entry: dict) -> set[str]:
    """The checks a pattern of endpoints.json gets."""
    venue = any("/venue" in api["paths"] for api in entry["apis"])
    return PER_PATTERN | (PER_SITE if entry["sites"] else set()) | ({"venue-document"} if venue else set())


def _run_cli(local: LocalStack, tmp_path) -> tuple[subprocess.CompletedProcess, dict]:
    junit, summary = tmp_path / "verify.xml", tmp_path / "summary.md"
    done = subprocess.run([sys.executable, "-m", "verify", "--stack", local.stack, "--target", "local", "--json",
                           "--junit", str(junit), "--summary", str(summary)],
                          cwd=ROOT, env={**os.environ, "MULTITIER_LOCAL_DIR": str(local.data_root)},
                          capture_output=True, text=True, timeout=600)
    return done, {"junit": ET.parse(junit).getroot(), "summary": summary.read_text()}


def _seats(local: LocalStack) -> dict[str, int]:
    """What the demo user sees left of each show, per pattern without a cache in front of /shows."""
    from verify.cognito import srp_sign_in
    from verify.http import Http

    http, seats = Http(), {}
    demo = next(u for u in local.endpoints["users"] if u["email"] == "demo@example.com")
    for name, pattern in local.target.patterns.items():
        if name == "single_page_app":  # its /shows answers from the cache for a while
            continue
        tokens = srp_sign_in(http, pattern.sign_in_endpoint, pattern.user_pool_id, pattern.client_id,
                             demo["email"], demo["password"])
        page = http("GET", pattern.api_for("/shows").at("/shows?limit=100"), token=tokens["IdToken"]).json()
        seats.update({f"{name}/{s['id']}": s["remaining"] for s in page["items"]})
    return seats


def test_the_suite_passes_against_local_dev(dev_local, tmp_path):
    _passes(dev_local, tmp_path)


def test_the_suite_passes_against_local_prod(prod_local, tmp_path):
    _passes(prod_local, tmp_path)


def _passes(local: LocalStack, tmp_path) -> None:
    stack = local.stack
    before = _seats(local)

    done, reports = _run_cli(local, tmp_path)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["passed"] and result["counts"]["fail"] == 0
    patterns = engine.stack_config(stack)["multitier:patterns"]
    by_pattern = {p: {r["check"] for r in result["results"] if r["pattern"] == p} for p in patterns}
    assert local.endpoints["patterns"]["single_page_app"]["sites"], "a site is checked"
    for pattern in patterns:
        assert by_pattern[pattern] == _expected(local.endpoints["patterns"][pattern]), pattern
    skipped = {(r["pattern"], r["check"], r["reason"]) for r in result["results"] if r["status"] == "skip"}
    if stack == "dev":
        assert not skipped
    else:  # prod's limits (200/s, burst 400) are beyond what one client sends: skipped, saying so
        assert {check for _, check, _ in skipped} == {"throttling"}
        assert all("burst of 400" in reason for _, _, reason in skipped)
    assert all(r["seconds"] >= 0 and r["reason"] for r in result["results"])

    # The JUnit report and the Markdown summary say the same.
    junit = reports["junit"]
    assert int(junit.get("tests")) == len(result["results"]) and junit.get("failures") == "0"
    assert int(junit.get("skipped")) == result["counts"]["skip"]
    assert {suite.get("name") for suite in junit} == {f"{stack}.{p}" for p in patterns}
    assert f"stack {stack} on local passed" in reports["summary"]

    # What it bought is back on sale, and its users are gone.
    assert _seats(local) == before
    admin = local.target.client("cognito-idp")
    for pattern in local.target.patterns.values():
        users = admin.list_users(UserPoolId=pattern.user_pool_id)["Users"]
        assert not [u for u in users if any(a["Value"].startswith("multitier-verify-") for a in u["Attributes"])]
