"""Drives the real site in headless Chromium against mock_backend.py.

Signs in through the browser's SRP code (the mock verifies the signature),
walks every screen at phone size, and fails on any console error or CSP
violation. Screenshots go to $SHOTS (default /tmp/site-shots).

    /work/main/.venv/bin/python tests/site/e2e_browser.py
Needs the playwright package and a Chromium (CHROMIUM, default /usr/bin/chromium).
"""

import os
import sys
import threading

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mock_backend  # noqa: E402

SHOTS = os.environ.get("SHOTS", "/tmp/site-shots")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def main():
    try:
        run()
    except Exception:
        print("Browser problems so far:\n  " + "\n  ".join(PROBLEMS))
        raise


PROBLEMS = []


def run():
    os.makedirs(SHOTS, exist_ok=True)
    server = mock_backend.serve(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    problems = PROBLEMS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        page = ctx.new_page()
        page.set_default_timeout(10000)
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        shot = lambda name: page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)  # noqa: E731

        page.goto(base)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        shot("01-sign-in")

        # Wrong password: the mock rejects the SRP signature.
        page.get_by_label("Username or email").fill("bob")
        page.get_by_label("Password").fill("nope")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".form-error")).to_contain_text("Incorrect username or password")
        shot("02-sign-in-error")
        problems[:] = [m for m in problems if "400" not in m]  # the failed Cognito call is expected

        page.get_by_label("Password").fill("Alice-Passw0rd")
        page.get_by_label("Username or email").fill("alice")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Upcoming shows")).to_be_visible()
        expect(page.locator(".show-list > li")).to_have_count(12)
        expect(page.get_by_role("link", name="New show")).to_be_visible()
        shot("03-shows")

        page.get_by_role("button", name="Load more shows").click()
        expect(page.locator(".show-list > li")).to_have_count(14)

        page.get_by_role("link", name="The Tempest").click()
        expect(page.get_by_role("heading", name="The Tempest")).to_be_focused()
        page.get_by_label("Number of tickets").fill("2")
        expect(page.locator("output.total")).to_have_text("$50.00")
        page.get_by_role("button", name="Buy tickets").click()
        expect(page.locator(".purchase-result")).to_contain_text("Purchased 2 tickets")
        shot("04-show-bought")

        # Someone else buys 2 of the last 3 seats while we look at the page:
        # our purchase of 3 must surface the API's 409 message.
        page.goto(base + "#/shows/show-002")
        page.get_by_label("Number of tickets").fill("3")
        page.evaluate("""async (api) => {
            const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
            const token = JSON.parse(sessionStorage.getItem(k)).idToken;
            await fetch(api + '/tickets', {method: 'POST', headers: {Authorization: token,
                'Idempotency-Key': crypto.randomUUID(), 'Content-Type': 'application/json'},
                body: JSON.stringify({show_id: 'show-002', quantity: 2})});
        }""", base + "api")
        page.get_by_role("button", name="Buy tickets").click()
        expect(page.locator(".form-error")).to_have_text("Not available: Only 1 seats left")
        expect(page.locator(".details")).to_contain_text("1 of 80 left")
        shot("05-show-conflict")
        problems[:] = [m for m in problems if "409" not in m]

        page.get_by_role("link", name="My tickets").click()
        expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
        expect(page.locator(".ticket-list > li")).to_have_count(2)
        shot("06-tickets")
        page.once("dialog", lambda d: d.accept())
        page.get_by_role("button", name="Cancel 2 ticket(s) for The Tempest").click()
        expect(page.locator(".ticket", has_text="The Tempest").locator(".badge")).to_have_text("Cancelled")
        expect(page.get_by_role("status")).to_have_text("Cancelled your tickets for The Tempest.")
        shot("07-tickets-cancelled")

        page.get_by_role("link", name="Venue").click()
        expect(page.get_by_role("heading", name="Riverside Arts Centre")).to_be_visible()
        shot("08-venue")

        page.get_by_role("link", name="New show").click()
        page.get_by_role("button", name="Create show").click()
        expect(page.get_by_label("Title")).to_be_focused()
        shot("09-new-show-invalid")
        page.get_by_label("Title").fill("Test Premiere")
        page.get_by_label("Venue").fill("Studio B")
        page.get_by_label("Starts at").fill("2032-01-02T20:00")
        page.get_by_label("Capacity").fill("50")
        page.get_by_label("Ticket price (USD)").fill("12.5")
        page.get_by_role("button", name="Create show").click()
        expect(page.get_by_role("heading", name="Test Premiere")).to_be_visible()
        expect(page.locator(".details")).to_contain_text("$12.50")
        shot("10-new-show-created")

        # A token about to expire is refreshed transparently (REFRESH_TOKEN_AUTH).
        page.evaluate("""() => {
            const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
            const t = JSON.parse(sessionStorage.getItem(k));
            const [h, p, s] = t.idToken.split('.');
            const claims = JSON.parse(atob(p.replace(/-/g, '+').replace(/_/g, '/')));
            claims.exp = Math.floor(Date.now() / 1000) + 30;
            t.idToken = [h, btoa(JSON.stringify(claims)).replace(/=+$/, '').replace(/[+]/g, '-').replace(/[/]/g, '_'), s].join('.');
            sessionStorage.setItem(k, JSON.stringify(t));
            sessionStorage.setItem('old-token', t.idToken);
        }""")
        page.reload()
        page.get_by_role("link", name="Venue").click()
        expect(page.get_by_role("heading", name="Riverside Arts Centre")).to_be_visible()
        assert page.evaluate("""() => {
            const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
            return JSON.parse(sessionStorage.getItem(k)).idToken !== sessionStorage.getItem('old-token');
        }"""), "token was not refreshed"

        # An invalid token must send the user back to sign in.
        page.evaluate("""() => {
            const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
            const t = JSON.parse(sessionStorage.getItem(k));
            t.idToken = t.idToken.replace(/[.][^.]*$/, '.forged');
            sessionStorage.setItem(k, JSON.stringify(t));
        }""")
        page.evaluate("location.hash = '#/tickets'")
        page.reload()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.locator("main")).to_contain_text("session has expired")
        shot("11-session-expired")
        problems[:] = [m for m in problems if "401" not in m]

        # Returning to where the user was after signing in again.
        page.get_by_label("Username or email").fill("alice")
        page.get_by_label("Password").fill("Alice-Passw0rd")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
        # Signing out revokes the refresh token at Cognito.
        refresh_token = page.evaluate("""() => {
            const k = Object.keys(sessionStorage).find((x) => x.startsWith('multitier.tokens.'));
            return JSON.parse(sessionStorage.getItem(k)).refreshToken;
        }""")
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert refresh_token in mock_backend.REVOKED, "sign-out did not revoke the refresh token"

        # Creating an account: sign up, a wrong code, a new code, confirm, sign in.
        page.get_by_role("link", name="Create an account").click()
        expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
        page.get_by_label("Email").fill("carol@example.com")
        page.get_by_label("Password", exact=True).fill("Carol-Passw0rd!")
        page.get_by_label("Repeat password").fill("Carol-Passw0rd?")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text("The passwords do not match.")).to_be_visible()
        page.get_by_label("Repeat password").fill("Carol-Passw0rd!")
        shot("12-create-account")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("We sent a confirmation code to c***@e***.")
        expect(page.get_by_label("Email")).to_have_value("carol@example.com")
        first = mock_backend.CODES["carol@example.com"]
        page.get_by_label("Confirmation code").fill(str((int(first) + 1) % 10 ** 6).zfill(6))
        page.get_by_role("button", name="Confirm account").click()
        expect(page.locator(".form-error")).to_contain_text("code is not correct")
        problems[:] = [m for m in problems if "400" not in m]
        page.get_by_role("button", name="Send a new code").click()
        expect(page.get_by_role("status")).to_have_text("We sent a new code to c***@e***.")
        page.get_by_label("Confirmation code").fill(mock_backend.CODES["carol@example.com"])
        shot("13-confirm-account")
        page.get_by_role("button", name="Confirm account").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Your account is confirmed. Please sign in.")
        expect(page.get_by_label("Username or email")).to_have_value("carol@example.com")
        page.get_by_label("Password").fill("Carol-Passw0rd!")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Upcoming shows")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

        # NEW_PASSWORD_REQUIRED challenge.
        page.get_by_label("Username or email").fill("newbie")
        page.get_by_label("Password").fill("Temp-Passw0rd")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_focused()
        page.get_by_label("New password", exact=True).fill("Brand-New-Passw0rd")
        page.get_by_label("Repeat new password").fill("Brand-New-Passw0rd")
        page.get_by_label("Name").fill("New Bie")
        shot("14-new-password")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Upcoming shows")).to_be_visible()
        expect(page.get_by_role("link", name="New show")).to_be_hidden()

        # Desktop width, dark scheme, for a look at the other layout.
        page.set_viewport_size({"width": 1200, "height": 800})
        page.emulate_media(color_scheme="dark")
        page.goto(base + "#/shows")
        expect(page.locator(".show-list > li").first).to_be_visible()
        shot("15-shows-desktop-dark")
        browser.close()

    server.shutdown()
    if problems:
        print("Browser problems:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"OK - screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
