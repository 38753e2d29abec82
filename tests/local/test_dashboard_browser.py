"""The local dashboards in a real Chromium: charts that show the traffic, an error-rate alarm to ALARM and back.

The shared local mode runs with its time compressed 60 times for this test (a one-minute alarm
period lasts a second). Errors are a fault injected into the mobile backend's /shows function
(every invocation of it fails, as a crashing function would): the gateway answers 502, the
API's 5XX rate alarm goes to ALARM, and back to OK once the function works again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from local.lambda_ import InvokeResult
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
        local_stack, patterns, sign_in, function_logs, monkeypatch, tmp_path):
    from playwright.sync_api import sync_playwright

    cloudwatch = local_stack.cloudwatch
    alarm = next(a.name for a in cloudwatch.evaluator.alarms if a.name.startswith("mobile-backend-api-5xx-"))
    mobile = patterns["mobile_backend"]
    token = sign_in.id_token(mobile)
    shows = mobile.url("/shows")
    assert http("GET", shows, token=token).status == 200  # warm, before time is compressed
    real_invoke = local_stack.runtime.invoke

    def failing(name: str, event: dict):
        if isinstance(event, dict) and event.get("resource") == "/shows":
            return InvokeResult(name, "injected", error={"errorType": "InjectedFault", "errorMessage": "injected"})
        return real_invoke(name, event)

    local_stack.clock.scale = 60
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1300}).new_page()
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{cloudwatch.url}dashboards/{DASHBOARD}")
            page.wait_for_selector("section.metric[data-title='mobile-backend-api: Requests']")

            # WHEN /shows fails for a few compressed minutes
            monkeypatch.setattr(local_stack.runtime, "invoke", failing)
            assert set(_traffic(shows, token, 4.0)) == {502}
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
            monkeypatch.setattr(local_stack.runtime, "invoke", real_invoke)
            assert set(_traffic(shows, token, 3.0)) == {200}
            _until(lambda: cloudwatch.evaluator.state(alarm).value == "OK", 30, f"{alarm} back to OK")
            page.wait_for_selector(f"li[data-alarm='{alarm}'][data-state='OK']", timeout=20000)
            browser.close()
            assert problems == []
    finally:
        local_stack.clock.scale = 1
    # the log says so too, when it changes
    changes = [line for line in function_logs.of("local") if line.startswith(f"alarm {alarm}:")]
    assert any("OK -> ALARM" in line for line in changes) and any("ALARM -> OK" in line for line in changes)
