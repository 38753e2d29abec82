"""Everything the offline engine takes from the Pulumi SDK beyond its public mocks API.

The public API (``pulumi.runtime.set_mocks``, ``Mocks``, ``MockResourceArgs``) runs a
program once per process; the engine runs many (every test, the preview, local mode),
records what each registered and waits for all of a program's outputs at once. For that
it needs the SDK's runtime state, its program runner and its wire format, named here
and nowhere else. ``check()`` runs on import (and ``tests/unit/test_pulumi_internals.py``
names each one), so an SDK upgrade that moves one breaks this file with one message.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable

from pulumi.runtime import config, mocks, resource, rpc, settings, stack
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _sync_await

MockMonitor = mocks.MockMonitor  # subclassed by recording.RecordingMonitor (make_urn, resources[urn].state)

# (what, object, the attributes or parameters the engine uses)
RELIED_ON: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("pulumi.runtime.mocks.MockMonitor", MockMonitor, ("make_urn", "RegisterResource", "RegisterResourceOutputs")),
    ("pulumi.runtime.mocks.set_mocks", mocks.set_mocks, ("mocks", "project", "stack", "preview", "monitor")),
    ("pulumi.runtime.config.set_all_config", config.set_all_config, ("config",)),
    ("pulumi.runtime.settings", settings, ("SETTINGS", "set_root_resource")),
    ("pulumi.runtime.settings.SETTINGS", settings.SETTINGS, ("rpc_manager", "outputs", "lock")),
    ("pulumi.runtime.settings.SETTINGS.rpc_manager", settings.SETTINGS.rpc_manager,
     ("rpcs", "unhandled_exception", "clear")),
    ("pulumi.runtime.stack.run_pulumi_func", stack.run_pulumi_func, ("func",)),
    ("pulumi.runtime.rpc.deserialize_properties", rpc.deserialize_properties, ("props_struct",)),
    ("pulumi.runtime.sync_await._sync_await", _sync_await, ("awaitable",)),
    ("pulumi.runtime.resource", resource, ("_get_stack_trace",)),
)


def missing(target: Any, names: tuple[str, ...]) -> list[str]:
    """The names ``target`` lacks: a function's parameters, anything else's attributes."""
    if inspect.isfunction(target):
        return [name for name in names if name not in inspect.signature(target).parameters]
    return [name for name in names if not hasattr(target, name)]


def check() -> None:
    """Fail with one message if the installed SDK lacks what the engine relies on."""
    for what, target, names in RELIED_ON:
        if lacking := missing(target, names):
            raise RuntimeError(f"{what} has no {', '.join(lacking)} in this Pulumi SDK: the offline engine relies "
                               f"on it (review local/engine/pulumi_internals.py)")


check()


def set_mocks(mocks_: mocks.Mocks, monitor: MockMonitor, *, project: str, stack_name: str, preview: bool) -> None:
    mocks.set_mocks(mocks_, project=project, stack=stack_name, preview=preview, monitor=monitor)


def set_config(values: dict[str, str]) -> None:
    """The configuration the program reads (``pulumi.Config``)."""
    config.set_all_config(values)


def run_program(program: Callable[[], Awaitable[None]]) -> Awaitable[None]:
    """Run ``program`` as the SDK runs a stack's (its root resource, its RPCs and their failures)."""
    return stack.run_pulumi_func(program)


def pending() -> list[Awaitable[Any]]:
    """The program's RPCs (registrations, invokes) and Outputs not done yet; after a failed RPC, the RPCs only
    (the SDK raises the failure once they are done)."""
    waiting = [rpc_ for rpc_ in settings.SETTINGS.rpc_manager.rpcs if not rpc_.done()]
    if settings.SETTINGS.rpc_manager.unhandled_exception is None:
        with settings.SETTINGS.lock:
            waiting += [task for task in settings.SETTINGS.outputs if not task.done()]
    return waiting


def reset() -> None:
    """Forget the last program: its config, RPCs, Outputs and root resource (the next one makes its own)."""
    config.set_all_config({})
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    settings.set_root_resource(None)


def deserialize(struct: Any) -> dict[str, Any]:
    """A registration's properties (a protobuf ``Struct``) as Python values."""
    async def deserialized() -> dict[str, Any]:
        return rpc.deserialize_properties(struct)
    return _sync_await(deserialized())


def skip_stack_traces() -> None:
    """Registrations without the source position the SDK computes from the Python stack for the engine's
    display (a tenth of a run under mocks, which never read it)."""
    resource._get_stack_trace = source_pb2.StackTrace
