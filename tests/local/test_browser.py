"""The site from local mode in a real headless Chromium (Debian's, no download).

GIVEN the dev stack in local mode (conftest ``local_stack``)
WHEN a person opens the single-page app's site (CloudFront) or the web app's (Amplify
Hosting), signs in as the demo user (SRP
against the emulator's Cognito), buys a ticket
THEN the purchase is confirmed and the ticket is listed under "My tickets", with no
console error and no CSP violation along the way.
AND a new person creates an account (the code from local mode's log), confirms it,
signs in and out, and signing out revokes the refresh token.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.local.conftest import http

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]



@pytest.fixture(autouse=True)
def chromium_installed():
    # A missing browser is a failed test, not a skip: `make test` and .ci/run install it.
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium (make system-deps)")


def _site_of(local_stack, pattern: str):
    for site in (*local_stack.sites, *local_stack.amplify_apps):
        if http("GET", site.url + "config.json").json().get("pattern") == pattern:
            return site
    raise AssertionError(f"no site serves the {pattern} pattern")


def _browser(p, problems: list[str]):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    page.set_default_timeout(20000)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return browser, page


@pytest.mark.parametrize("pattern", ["single_page_app", "web_app"])
def test_demo_user_signs_in_buys_a_ticket_and_sees_it(local_stack, pattern):
    from playwright.sync_api import expect, sync_playwright

    # The first calls are cold starts (authorizer, then function): on a busy machine they
    # take longer than expect()'s 5 s default, which set_default_timeout does not change.
    expect.set_options(timeout=20000)
    site = _site_of(local_stack, pattern)
    demo = local_stack.user("demo@example.com")
    problems: list[str] = []

    with sync_playwright() as p:
        browser, page = _browser(p, problems)
        try:
            page.goto(site.url)
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            page.get_by_label("Username or email").fill(demo.email)
            page.get_by_label("Password").fill(demo.password)
            page.get_by_role("button", name="Sign in").click()

            expect(page.get_by_role("heading", name="Upcoming shows")).to_be_visible()
            first = page.locator(".show-list > li").first
            expect(first).to_be_visible()
            title = first.get_by_role("link").first.inner_text().strip()
            first.get_by_role("link").first.click()
            expect(page.get_by_role("heading", name=title)).to_be_visible()

            page.get_by_label("Number of tickets").fill("1")
            page.get_by_role("button", name="Buy tickets").click()
            expect(page.locator(".purchase-result")).to_contain_text("Purchased 1 ticket")

            page.get_by_role("link", name="My tickets", exact=True).click()
            expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
            expect(page.locator(".ticket-list > li", has_text=title).first).to_be_visible()
        finally:
            browser.close()
    assert problems == [], problems


def test_a_new_person_creates_an_account_confirms_it_and_signing_out_revokes(local_stack, function_logs):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20000)
    site = _site_of(local_stack, "single_page_app")
    email, password = "newcomer@example.com", "Newcomer-Passw0rd!"
    problems: list[str] = []

    def code() -> str:
        found = [m.group(1) for line in function_logs.of("local")
                 for m in [re.search(rf"confirmation code for {re.escape(email)} in \S+: (\d{{6}})$", line)] if m]
        assert found, "local mode logged no confirmation code"
        return found[-1]

    with sync_playwright() as p:
        browser, page = _browser(p, problems)
        try:
            page.goto(site.url)
            page.get_by_role("link", name="Create an account").click()
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password", exact=True).fill(password)
            page.get_by_label("Repeat password").fill(password)
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
            # Signing in before confirming is refused by the pool and leads back here
            page.goto(site.url + "#/sign-in")
            page.get_by_label("Username or email").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
            page.get_by_label("Confirmation code").fill(code())
            page.get_by_role("button", name="Confirm account").click()
            expect(page.get_by_role("status")).to_have_text("Your account is confirmed. Please sign in.")
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Upcoming shows")).to_be_visible()
            expect(page.locator(".show-list > li").first).to_be_visible()

            refresh_token = page.evaluate("""() => {
                const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
                return JSON.parse(sessionStorage.getItem(k)).refreshToken;
            }""")
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        finally:
            browser.close()
    # The pool refused the unconfirmed sign-in with a 400 (the browser logs that as a failed request)
    assert [m for m in problems if "400" not in m] == [], problems
    config = http("GET", site.url + "config.json").json()
    refreshed = http("POST", config["auth"]["endpoint"], body={
        "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": config["auth"]["clientId"],
        "AuthParameters": {"REFRESH_TOKEN": refresh_token}}, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    assert refreshed.status == 400 and refreshed.json()["message"] == "Refresh Token has been revoked"
