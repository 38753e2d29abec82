"""Run a program, or the project's ``__main__.py`` for a named stack, under the mock engine."""

from __future__ import annotations

import asyncio
import gc
import json
import runpy
import sys
from pathlib import Path
from typing import Any, Callable

import pulumi
import yaml

from multitier._settings.loader import region_of
from local.engine import pulumi_internals as sdk
from local.engine.mocks import Mocks
from local.engine.recording import DuplicateUrnError, Recording, RecordingMonitor

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT = "multitier"


class StackFileError(ValueError):
    """A stack file is not valid YAML, or not the shape Pulumi reads; the message names file, line and column."""


def stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The ``config:`` map of ``Pulumi.<stack>.yaml``."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in root.glob("Pulumi.*.yaml"))
        raise FileNotFoundError(f"no stack named {stack!r}: {path.name} does not exist (stacks: {', '.join(stacks)})")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        problem = error.problem or error.context or "not valid YAML"
        raise StackFileError(f"{where}: {problem}" + (f" ({error.context})" if error.problem and error.context
                                                      else "")) from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path.name}: {str(error).splitlines()[0]}") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(config or {}, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a `config:` mapping of settings "
                             f"(`multitier:<key>: <value>`)")
    return config or {}


def _engine_config(config: dict[str, Any]) -> dict[str, str]:
    # The engine hands the program strings; structured values as JSON text.
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


# The SDK walks the Python stack at every registration to tell the engine where it came from
# (about a tenth of a run); the mock monitor never reads it.
sdk.skip_stack_traces()


def run(program: Callable[[], None], *, stack: str = "test", config: dict[str, Any] | None = None,
        mocks: Mocks | None = None, preview: bool = False) -> Recording:
    """Run ``program`` under the mock engine with fresh runtime state; return what it registered."""
    config = dict(config or {})
    mocks = mocks or Mocks(region=region_of(config))
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        sdk.set_mocks(mocks, monitor, project=PROJECT, stack_name=stack, preview=preview)
        sdk.set_config(_engine_config(config))
        root = pulumi.runtime.get_root_resource()
        loop.run_until_complete(sdk.run_program(lambda: _settled(program)))
        outputs = loop.run_until_complete(_resolve_outputs(getattr(root, "outputs", {})))
    except BaseException:
        _reset(loop, failed=True)
        raise
    _reset(loop)
    if monitor.duplicates:
        raise DuplicateUrnError(f"{', '.join(monitor.duplicates)} registered twice: a real `pulumi up` fails with "
                                f"a duplicate URN; give one of the two resources another name")
    return Recording(monitor.registrations, outputs)


async def _settled(program: Callable[[], None]) -> None:
    """Run ``program``, then wait until every RPC and Output it started has finished.

    The SDK waits for the same before it returns, but one Output at a time, subscribing to
    every pending one again after each completes (quadratic in a program's Outputs); this
    waits for all of them at once per wave. After a failed RPC it waits for the RPCs only,
    as the SDK does before it raises the failure (its own wait runs next and raises it).
    """
    program()
    while pending := sdk.pending():
        await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)


async def _resolve_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    resolved = {}
    for key, value in outputs.items():
        resolved[key] = await pulumi.Output.from_input(value).future()
    return resolved


def _reset(loop: asyncio.AbstractEventLoop, failed: bool = False) -> None:
    # The next run's set_mocks creates its own root Stack: its URN names that run's stack,
    # and no stack output of this run leaks into it.
    sdk.reset()
    # A program that failed midway leaves registrations pending; end them quietly.
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    if failed:
        # Its Outputs that failed too hold the error the caller gets: let them go now and
        # quietly, not in a later run's garbage collection with "exception never retrieved".
        loop.set_exception_handler(lambda loop, context: None)
        gc.collect()
    loop.close()
    asyncio.set_event_loop(None)


def run_stack(stack: str, *, root: Path = PROJECT_ROOT, mocks: Mocks | None = None,
              overrides: dict[str, Any] | None = None) -> Recording:
    """Run the project's ``__main__.py`` for ``stack`` with its own config file."""
    config = {**stack_config(stack, root), **(overrides or {})}
    main = root / "__main__.py"
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return run(lambda: runpy.run_path(str(main), run_name="__main__"), stack=stack, config=config, mocks=mocks)
