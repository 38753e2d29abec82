"""Every setting of a stack changed once and planned (``python -m local plan --sweep``), and the README's table.

The changes come from ``multitier._settings.changes``. The program runs once per stack and per
``base`` as configured, then once per change. The runs are independent: they run in worker
processes forked from one that has already run the program (its imports and the run each
change is compared with are shared, not repeated), at most one run per core at a time, with
the garbage collector off (a worker ends after a few runs, before its memory matters). Each
writes its plan as JSON.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from local import engine
from local.plan import plan, setting_key
from multitier._settings.changes import Change, changes
from multitier._settings.loader import settings_from_config

README = engine.PROJECT_ROOT / "README.md"
RUNS_PER_WORKER = 8  # about 80 MB a run without the collector
START, END = "<!-- replacements:start -->", "<!-- replacements:end -->"


def _fork(run) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            run()
        except BaseException:  # noqa: BLE001 (reported through the missing result file)
            code = 1
        finally:
            os._exit(code)
    return pid


def _wait(pids: Iterable[int]) -> None:
    for pid in pids:
        os.waitpid(pid, 0)


def sweep(stacks: Iterable[str] = ("dev", "prod"), workers: int | None = None,
          baselines: dict[str, engine.Recording] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Each stack's changes, each with its plan (``plan``: ``Plan.as_dict()``) or the ``error`` it raised.

    ``baselines``: runs of the stacks as configured, when the caller has them already.
    """
    slots = multiprocessing.get_context("fork").BoundedSemaphore(workers or os.cpu_count() or 2)
    jobs = {stack: changes(settings_from_config(engine.stack_config(stack))) for stack in stacks}
    # The imports and the runs every fork shares.
    baselines = {stack: (baselines or {}).get(stack) or engine.run_stack(stack) for stack in jobs}
    gc.collect()
    gc.freeze()  # the shared objects stay shared: the collector of a fork does not touch their pages
    with tempfile.TemporaryDirectory(prefix="plan-sweep-") as folder:
        groups: dict[tuple[str, str], list[tuple[int, Change]]] = {}
        for stack, stack_changes in jobs.items():
            for index, change in enumerate(stack_changes):
                groups.setdefault((stack, json.dumps(dict(change.base), sort_keys=True)), []).append((index, change))
        _wait([_fork(lambda s=stack, b=base, m=members: _group(s, json.loads(b), m, baselines[s], slots, folder))
               for (stack, base), members in groups.items()])
        return {stack: [_result(Path(folder, f"{stack}-{index}.json"), change)
                        for index, change in enumerate(stack_changes)] for stack, stack_changes in jobs.items()}


def _group(stack: str, base: dict, members: list[tuple[int, Change]], baseline: engine.Recording,
           slots: Any, folder: str) -> None:
    """One base's changes: the stack with ``base`` runs once here, each change in a fork of this process."""
    gc.disable()
    config = engine.stack_config(stack)
    if any(config.get(setting_key(k)) != v for k, v in base.items()):
        with slots:
            baseline = engine.run_stack(stack, overrides={**config, **{setting_key(k): v for k, v in base.items()}})
    chunks = [members[i:i + RUNS_PER_WORKER] for i in range(0, len(members), RUNS_PER_WORKER)]
    _wait([_fork(lambda chunk=chunk: _plan_each(stack, chunk, baseline, slots, folder)) for chunk in chunks])


def _plan_each(stack: str, members: list[tuple[int, Change]], baseline: engine.Recording, slots: Any,
               folder: str) -> None:
    for index, change in members:
        with slots:
            try:
                result = {"plan": plan(stack, {change.key: change.value, **change.also}, change.base,
                                       baseline).as_dict()}
            except ValueError as error:  # settings the change makes invalid
                result = {"error": str(error)}
        Path(folder, f"{stack}-{index}.json").write_text(json.dumps(result, default=str))


def _result(path: Path, change: Change) -> dict[str, Any]:
    found = json.loads(path.read_text()) if path.is_file() else {"error": "the planning process failed"}
    return {"key": change.key, "value": change.value, "base": dict(change.base), "also": dict(change.also), **found}


# --- the README's table -----------------------------------------------------------------------------------

def outcome(result: dict[str, Any]) -> str:
    """What a change does, in a few words (the table's cell)."""
    if "error" in result:
        return f"invalid: {result['error']}"
    plan_ = result["plan"]
    if plan_["refused"]:
        return f"refused: {plan_['refused']}"
    steps = plan_["steps"]
    refused = [s for s in steps if s["action"] == "refused"]
    if refused:
        return "refused (" + ", ".join(sorted({s["type"].split(":")[-1] for s in refused})) + ")"
    def kinds(steps_: list[dict]) -> str:
        return ", ".join(sorted({s["type"].split(":")[-1] + (" (deleted first)" if s.get("delete_first") else "")
                                 for s in steps_}))

    counts = plan_["counts"]
    text = ", ".join(f"{counts[a]} {a}" for a in ("update", "replace", "create", "delete") if counts[a]) or "no change"
    for label, chosen in (("replaces", [s for s in steps if s["action"] == "replace"]),
                          ("may replace", [s for s in steps if s.get("may_replace")]),
                          ("**fails**", [s for s in steps if s.get("fails")]),
                          ("**loses data**", [s for s in steps if s.get("data_loss")])):
        if chosen:
            text += f"; {label} {kinds(chosen)}"
    return text


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    """A markdown table: each setting, the value tried, what it does to each stack."""
    stacks = list(results)
    rows = ["| setting | changed to | " + " | ".join(stacks) + " |", "|---|---|" + "---|" * len(stacks)]
    for row in zip(*(results[s] for s in stacks)):
        value = json.dumps(row[0]["value"]) + (" (with " + ", ".join(row[0]["also"]) + ")" if row[0]["also"] else "")
        if len({json.dumps(r["value"]) for r in row}) > 1:
            value = " / ".join(json.dumps(r["value"]) for r in row)
        rows.append(f"| `{row[0]['key']}` | {value} | " + " | ".join(outcome(r).replace("|", "\\|") for r in row) + " |")
    return "\n".join(rows)


def write_readme(results: dict[str, list[dict[str, Any]]], readme: Path = README) -> bool:
    """Put the table between the README's markers; whether it changed."""
    text = readme.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{table(results)}\n{END}{tail}"
    readme.write_text(new)
    return new != text
