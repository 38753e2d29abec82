"""Shared fixtures: the offline engine, fresh runtime state per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local import engine  # noqa: E402

FIRST = "test_plan_sweep.py"  # the longest fixture of the run (its own forks use every core): it starts first


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name != FIRST)


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
