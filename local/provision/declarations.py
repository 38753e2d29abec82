"""The services' environment contract, read from a function's unpacked archive.

A service's archive carries ``shared/contract.py`` (standard library only): its
``VARIABLES`` (name → ``Var`` with ``local``, ``default`` and ``seed``) and
``LOCAL_USERS``. Local mode loads that file by path, never importing the
functions' packages, so what it applies is what the deployed code declares. An
archive without the file has no contract, and local mode changes nothing in that
function's environment but the SDK endpoint.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

CONTRACT_FILE = Path("shared") / "contract.py"


@dataclass(frozen=True)
class Contract:
    """What local mode reads of one archive's contract."""

    variables: Mapping[str, Any]               # name → Var (.name, .default, .local, .seed)
    users: Sequence[Mapping[str, Any]] = ()    # LOCAL_USERS: {"email", "groups"}


def load_contract(code_dir: Path) -> Contract | None:
    """The contract in ``code_dir``, or None when the archive has none."""
    path = code_dir / CONTRACT_FILE
    if not path.is_file():
        return None
    module = load_module(path)
    if not isinstance(getattr(module, "VARIABLES", None), Mapping):
        raise ValueError(f"{path}: a contract must define VARIABLES (variable name → Var)")
    return Contract(dict(module.VARIABLES), tuple(getattr(module, "LOCAL_USERS", ())))


def load_module(path: Path) -> ModuleType:
    """Run one source file of an unpacked archive as a module of its own (not importable by name)."""
    name = "_archive_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module
