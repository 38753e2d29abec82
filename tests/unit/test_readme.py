"""The README speaks of what is in the repository, and its totals are what the previews count."""

from __future__ import annotations

import re

from local import engine, totals
from multitier._settings.generate import between_markers

README = engine.PROJECT_ROOT / "README.md"


def test_every_file_the_readme_names_is_in_the_repository():
    # Backticked paths and names, and DOCUMENT.md names: a file the reader cannot open is a dangling
    # reference. A path must exist as written; a bare name somewhere in the repository; what the program
    # or a tool writes (under .build/ or .local/, a site's config.json, the package.json `pulumi package add`
    # edits in a user's project) is named as such, and `/x.json` is a URL's path.
    text = README.read_text()
    named = set(re.findall(r"`([\w./-]+\.(?:md|py|yaml|json|txt|toml))`", text))
    named |= set(re.findall(r"\b([A-Z][A-Z_]+\.md)\b", text))
    root = engine.PROJECT_ROOT
    files = {p.name for p in root.rglob("*") if not {".venv", ".build", ".local", ".git"} & set(p.parts)}
    written = ("config.json", "endpoints.json", "users.json", "ports.json", "package.json")
    missing = sorted(name for name in named if not name.startswith((".build/", ".local/", "/")) and name not in written
                     and not ((root / name).exists() if "/" in name else name in files))
    assert missing == [], f"the README names files that are not in the repository: {missing}"


def test_readme_totals_are_what_the_previews_count(dev_stack, prod_stack):
    # Regenerate with `python -m local.totals` after changing what a stack registers.
    assert totals.stacks() == ["dev", "prod"]
    text = README.read_text()
    assert text == between_markers(text, totals.MARKER, totals.render({"dev": dev_stack, "prod": prod_stack}))
