"""The services' environment contract, as the components see it.

``functions/shared/contract.py`` declares every variable a service reads (name,
meaning, what fills it, default). It is loaded here by file path, under a module
name of its own: the functions' ``shared`` package cannot be imported from the
program (its ``__init__`` imports ``shared.*``, which only exists inside a
function's archive), and ``functions/`` must not import ``components/``.

Components write no variable name themselves: ``contract.SHOWS_TABLE.name``.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from components.logic.bundle import FUNCTIONS_DIR

MODULE_NAME = "multitier_service_contract"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(MODULE_NAME, FUNCTIONS_DIR / "shared" / "contract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


contract = _load()
