"""local/ knows AWS, not the app it runs; and its modules stay small."""

from __future__ import annotations

import re
from pathlib import Path

from local.provision.declarations import load_module

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "local").rglob("*.py"))
# Service names that are also AWS or local-mode words ("authorizer": API Gateway's Lambda
# authorizer; "info": e.g. PostgresInfo.info).
AWS_WORDS = {"authorizer", "info"}


def _app_names() -> set[str]:
    """What only the app knows: its variables, services, seed modules and users; its site's config file."""
    contract = load_module(ROOT / "functions" / "shared" / "contract.py")
    names = set(contract.VARIABLES) | {v.seed.split(":")[0] for v in contract.VARIABLES.values() if v.seed}
    names |= {user["email"] for user in contract.LOCAL_USERS}
    names |= set(contract.CONTRACTS) - AWS_WORDS
    return names | {"config.json"}


def test_local_mode_names_nothing_of_the_app():
    names = _app_names()
    assert {"shows", "tickets"} <= names and len(names) > 20  # the check looks for something
    found = []
    for path in SOURCES:
        text = path.read_text()
        for name in names:
            if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


def test_no_module_of_local_mode_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in SOURCES}
    assert len(sizes) > 30
    assert {path: n for path, n in sizes.items() if n > 400} == {}
