"""The services' contracts, as the components see them: environment (``contract``) and API (``api``).

``functions/shared/contract.py`` declares every variable a service reads (name, meaning,
what fills it, default); ``functions/shared/api.py`` declares every operation of the
ticketing API with its pydantic models. Both are read here by file path, as modules of
a package of their own whose ``__init__`` is never run: the functions' ``shared``
package cannot be imported from the program (its ``__init__`` imports modules that
only exist inside a function's archive), and ``functions/`` must not import
``multitier/``. Only ``contract.py``, ``api.py`` and ``models.py`` run (standard
library and pydantic).

Components write no variable name or route themselves: ``contract.SHOWS_TABLE.name``,
``api.SERVICES["shows"]``.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from multitier._logic.bundle import FUNCTIONS_DIR

PACKAGE = "multitier_service_shared"


def _load(module: str) -> ModuleType:
    if PACKAGE not in sys.modules:
        package = ModuleType(PACKAGE)
        package.__path__ = [str(FUNCTIONS_DIR / "shared")]
        sys.modules[PACKAGE] = package
    return importlib.import_module(f"{PACKAGE}.{module}")


contract = _load("contract")
api = _load("api")
