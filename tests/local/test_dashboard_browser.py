"""The local dashboards in a real Chromium: charts that show the traffic, an error-rate alarm to ALARM and back.

The shared local mode runs with its time compressed 60 times for this test (a one-minute alarm
period lasts a second). Errors are a fault injected into the mobile backend's /shows function
(its identity loses the grant to query its table, so every invocation fails): the API answers
500, its 5XX rate alarm goes to ALARM, and back to OK once the grant is back.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from local.provision.identities import put_function_policy
from tests.local.conftest import http
from tests.local.test_browser import ARGS, CHROMIUM

DASHBOARD = "multitier-dev-mobile-backend"


def _until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def _traffic(url: str, token: str, seconds: float) -> list[int]:
    statuses, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses.append(http("GET", url, token=token).status)
        time.sleep(0.05)
    return statuses


def test_the_dashboard_shows_the_traffic_and_the_error_rate_alarm_fires_and_clears(
        local_stack, patterns, sign_in, function_logs, tmp_path):
    from playwright.sync_api import sync_playwright

    cloudwatch = local_stack.cloudwatch
    alarm = next(a.name for a in cloudwatch.evaluator.alarms if a.name.startswith("mobile-backend-api-5xx-"))
    mobile = patterns["mobile_backend"]
    token = sign_in.id_token(mobile)
    shows = mobile.url("/shows")
    assert http("GET", shows, token=token).status == 200  # warm, before time is compressed
    api = next(a for a in local_stack.apis if a.url == mobile.apis["shows"])
    function = next(v for k, v in api.stage_variables.items() if "shows" in k and "authorizer" not in k).split(":")[0]
    granted = local_stack.policies[function]
    failing = {**granted, "Statement": [s for s in granted["Statement"] if "dynamodb:Query" not in str(s["Action"])]}
    aws = local_stack.emulators.aws

    cloudwatch.clock.scale = 60
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1300}).new_page()
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{cloudwatch.url}dashboards/{DASHBOARD}")
            page.wait_for_selector("section.metric[data-title='mobile-backend-api: Requests']")

            # WHEN /shows fails for a few compressed minutes
            put_function_policy(aws, function, failing)
            assert set(_traffic(shows, token, 4.0)) == {500}
            _until(lambda: cloudwatch.evaluator.state(alarm).value == "ALARM", 20, f"{alarm} in ALARM")
            # THEN the page shows it in ALARM, and the charts show the requests and the errors
            page.wait_for_selector(f"li[data-alarm='{alarm}'][data-state='ALARM']", timeout=20000)
            requests = page.locator("section[data-title='mobile-backend-api: Requests']")
            _until(lambda: float(requests.get_attribute("data-total") or 0) > 10, 20, "requests charted")
            errors = page.locator("section[data-title='mobile-backend-shows: Invocations']")
            _until(lambda: int(errors.get_attribute("data-samples") or 0) > 0, 20, "invocations charted")
            screenshot = Path(os.environ.get("MULTITIER_DASHBOARD_SCREENSHOT") or tmp_path / "dashboard.png")
            page.screenshot(path=str(screenshot), full_page=False)
            assert screenshot.stat().st_size > 50_000  # charts, not a blank page

            # WHEN the function works again
            put_function_policy(aws, function, granted)
            assert set(_traffic(shows, token, 3.0)) == {200}
            _until(lambda: cloudwatch.evaluator.state(alarm).value == "OK", 30, f"{alarm} back to OK")
            page.wait_for_selector(f"li[data-alarm='{alarm}'][data-state='OK']", timeout=20000)
            browser.close()
            assert problems == []
    finally:
        put_function_policy(aws, function, granted)
        cloudwatch.clock.scale = 1
    # the log says so too, when it changes
    changes = [line for line in function_logs.of("local") if line.startswith(f"alarm {alarm}:")]
    # (into ALARM from OK, or from INSUFFICIENT_DATA when nothing called the API earlier in the session)
    assert any("-> ALARM" in line for line in changes) and any("ALARM -> OK" in line for line in changes), changes
