"""The services' declarations, read from their shared code: each service's contract (environment and
layers, ``functions/shared/contract.py``) and the API (``functions/shared/api.py``: operations and
their pydantic models).

The functions' ``shared`` package cannot be imported from the program (its ``__init__`` imports
modules that only exist inside a function's archive), and ``functions/`` must not import
``multitier``. So ``read`` runs the declaration files of a ``shared`` folder as modules of a
package of their own whose ``__init__`` is never run; only the modules asked for run (and what
they import relatively: ``api`` imports ``models`` and ``contract``), standard library and
pydantic only. A folder is read once per content: local mode reads the copy in every function's
archive, and identical copies share the modules the program already read.

Components write no variable name, service name or route themselves: ``contract.SHOWS_TABLE.name``,
``contract.SHOWS``, ``api.SERVICES[contract.SHOWS.service]``.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path
from types import ModuleType

from multitier._logic.bundle import FUNCTIONS_DIR

SHARED_DIR = FUNCTIONS_DIR / "shared"


def read(shared_dir: Path, module: str) -> ModuleType:
    """The module ``module`` (``contract``, ``api``) of the ``shared`` folder ``shared_dir``."""
    digest = hashlib.sha256()
    for path in sorted(shared_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    name = f"_multitier_declarations_{digest.hexdigest()[:16]}"
    if name not in sys.modules:  # the first folder of a content stands for every copy of it
        package = ModuleType(name)
        package.__path__ = [str(shared_dir)]
        sys.modules[name] = package
    return importlib.import_module(f"{name}.{module}")


contract = read(SHARED_DIR, "contract")
api = read(SHARED_DIR, "api")
