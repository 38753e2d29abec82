"""The offline engine: run ``__main__.py`` for a stack with no Pulumi CLI and no AWS.

One ``Mocks`` class fabricates realistic outputs for every type token the project
uses (one record per type in ``types.py``; any other token fails loudly), a recording
monitor keeps every registered resource (``recording.py``: type, name, inputs, parent, dependencies), and
``run_stack`` runs the real program for a named stack with the config of its
``Pulumi.<stack>.yaml`` (``runner.py``). The unit tests, the offline preview and local
mode all stand on this package.
"""

from local.engine.mocks import Mocks, UnknownTokenError
from local.engine.calls import CALLS
from local.engine.outputs import Ctx, Factory, suffix
from local.engine.recording import DuplicateUrnError, Recording, RecordingMonitor, Registration, tree
from local.engine.runner import PROJECT, PROJECT_ROOT, run, run_stack, stack_config
from local.engine.types import RESOURCES, TYPES, ResourceType

__all__ = ["CALLS", "PROJECT", "PROJECT_ROOT", "RESOURCES", "TYPES", "Ctx", "DuplicateUrnError", "Factory", "Mocks",
           "Recording", "RecordingMonitor", "Registration", "ResourceType", "UnknownTokenError", "run", "run_stack",
           "stack_config", "suffix", "tree"]
