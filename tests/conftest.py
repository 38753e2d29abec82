"""Shared fixtures: the offline engine, fresh runtime state per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local import engine  # noqa: E402

# Tests sharing a costly fixture run on one worker of ``make test``'s two (``--dist loadgroup``), and
# such groups are handed out first: the sweep of every setting, and local mode of both stacks as a
# user starts it (tests/verify).
GROUPS = {"tests/unit/test_plan_sweep.py": "plan-sweep", "tests/verify/": "verify"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(items):
    for item in items:
        path = item.path.relative_to(ROOT).as_posix()
        group = next((name for prefix, name in GROUPS.items() if path.startswith(prefix)), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def run():
    """Run a program under the mock engine; each call gets a fresh loop and runtime settings."""
    return engine.run


@pytest.fixture
def functions_dir(tmp_path: Path) -> Path:
    """A functions folder with one tiny service and the shared package, for component tests."""
    service = tmp_path / "hello"
    service.mkdir()
    (service / "app.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    (service / "__pycache__").mkdir()
    (service / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"cache")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "__init__.py").write_text("")
    return tmp_path


@pytest.fixture(scope="session")
def dev_stack() -> engine.Recording:
    """The whole program for the dev stack, run once per test session."""
    return engine.run_stack("dev")


@pytest.fixture(scope="session")
def prod_stack() -> engine.Recording:
    return engine.run_stack("prod")
