"""The site in headless Chromium against a mock backend that verifies SRP (see e2e_browser.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def test_every_screen_at_phone_size_with_no_console_errors(tmp_path, monkeypatch):
    import e2e_browser

    monkeypatch.setattr(e2e_browser, "SHOTS", str(tmp_path))
    e2e_browser.main()  # raises on any failed expectation, console error or CSP violation
    assert list(tmp_path.glob("*.png")), "the walk-through took no screenshots"
