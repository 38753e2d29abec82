"""Who may know what: tiers take plain arguments, and env names come from the services' contract."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from multitier._declarations import api, contract
from multitier._data.bucket import BucketLifecycle
from multitier._data.cache import CacheArgs
from multitier._data.database import DatabaseArgs
from multitier._data.file_system import FileSystemArgs
from multitier._data.table import Key, TableArgs
from multitier._identity.user_pool import UserPoolArgs
from multitier._logic.bundle import FUNCTIONS_DIR
from multitier._logic.api_stage import StageOptions
from multitier._logic.function import FunctionRuntime
from multitier._network.network import NetworkArgs
from multitier._ops.alarms import AlarmsArgs
from multitier._patterns import tier_args
from multitier._settings.model import Settings

COMPONENTS = Path(__file__).resolve().parents[2] / "multitier"
# Only these may know the stack settings: the patterns (with their mapping), the settings package, and what
# offers the patterns to programs (the public API, the component provider).
SETTINGS_AWARE = ("_patterns", "_settings", "__init__.py", "_plugin.py")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, including ``pkg.name`` for ``from pkg import name``."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def tier_modules() -> list[Path]:
    return [p for p in COMPONENTS.rglob("*.py") if p.relative_to(COMPONENTS).parts[0] not in SETTINGS_AWARE]


@pytest.mark.parametrize("path", tier_modules(), ids=lambda p: str(p.relative_to(COMPONENTS)))
def test_tiers_do_not_import_the_settings(path):
    assert not [m for m in imported_modules(path) if m.startswith("multitier._settings")]


def string_literals(path: Path) -> list[str]:
    """Every string constant of a module except docstrings (which may name variables in prose)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("path", sorted(COMPONENTS.rglob("*.py")), ids=lambda p: str(p.relative_to(COMPONENTS)))
def test_no_environment_variable_is_spelled_out_in_components(path):
    # Names come from functions/shared/contract.py (multitier._declarations), never a literal.
    name = re.compile(r"\b(" + "|".join(map(re.escape, contract.VARIABLES)) + r")\b")
    assert [s for s in string_literals(path) if name.search(s)] == []


def test_the_literal_scan_sees_literals_but_not_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Reads SHOWS_TABLE."""\nENV = {"SHOWS_TABLE": name, f"X_{a}": 1}\n')
    assert [s for s in string_literals(module) if "SHOWS_TABLE" in s] == ["SHOWS_TABLE"]


def test_the_tiers_secure_defaults_are_the_settings_defaults():
    # GIVEN the settings model's defaults (documented as the secure choice)
    s, network = Settings(), object()
    # THEN the mapping of default settings gives each tier's own defaults: one notion of "secure default"
    assert tier_args.table(s, hash_key=Key("id")) == TableArgs(hash_key=Key("id"))
    assert tier_args.bucket_lifecycle(s) == BucketLifecycle()
    assert tier_args.network(s, "eu-west-1") == NetworkArgs(region="eu-west-1")
    assert tier_args.database(s, network) == DatabaseArgs(network=network)
    assert tier_args.cache(s, network, "dev") == CacheArgs(network=network, unique_suffix="dev")
    assert tier_args.file_system(s, network, "/data") == FileSystemArgs(network=network)
    assert tier_args.user_pool(s, "eu-west-1", "dev") == UserPoolArgs(region="eu-west-1", unique_suffix="dev")
    assert tier_args.function_runtime(s) == FunctionRuntime()
    assert tier_args.stage(s) == StageOptions()
    assert tier_args.alarms(s, ()) == AlarmsArgs()


def test_each_service_is_named_once_by_its_contract():
    # THEN every contract names a folder of code, and the API's services are contracts: the name is a
    # declared value the program, the API declaration and the layers refer to, not a string they repeat
    assert set(contract.CONTRACTS) == {path.parent.name for path in FUNCTIONS_DIR.glob("*/app.py")}
    assert set(api.SERVICES) <= set(contract.CONTRACTS)
    assert all(service.layers for service in contract.CONTRACTS.values())
