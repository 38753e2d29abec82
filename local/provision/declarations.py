"""What a function's archive declares for local mode, read from the services' contract it carries.

A service's archive carries ``shared/contract.py`` (standard library only): its ``VARIABLES``
(name → ``Var`` with ``local``, ``default`` and ``seed``) and ``LOCAL_USERS``. Local mode reads
that file by path with the program's reader (``multitier._declarations.read``: once per content,
never importing the functions' packages), so what it applies is what the deployed code declares.
An archive without the file declares nothing, and local mode changes nothing in that function's
environment but the SDK endpoint.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

from multitier._declarations import read

CONTRACT_FILE = Path("shared") / "contract.py"


@dataclass(frozen=True)
class Declarations:
    """What local mode reads of one archive's contract: the variables and the users to sign up."""

    variables: Mapping[str, Any]               # name → Var (.name, .default, .local, .seed)
    users: Sequence[Mapping[str, Any]] = ()    # LOCAL_USERS: {"email", "groups"}


def read_declarations(code_dir: Path) -> Declarations | None:
    """What the archive unpacked in ``code_dir`` declares, or None when it carries no contract."""
    path = code_dir / CONTRACT_FILE
    if not path.is_file():
        return None
    module = read(path.parent, path.stem)
    if not isinstance(getattr(module, "VARIABLES", None), Mapping):
        raise ValueError(f"{path}: a contract must define VARIABLES (variable name → Var)")
    return Declarations(dict(module.VARIABLES), tuple(getattr(module, "LOCAL_USERS", ())))


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
