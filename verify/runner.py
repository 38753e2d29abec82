"""Running the checks: each pattern in its own thread, its checks in order, its clean-up always."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Literal

from verify.aws import request_id
from verify.checks import CHECKS, Check, Context, Failed, Skipped
from verify.checks.purchase import clean_up
from verify.http import Http
from verify.target import Target

STACK = "stack"  # the name results of the stack's own checks (alarms) are filed under
Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Result:
    pattern: str
    check: str
    subject: str          # the API or site checked, or "" for the pattern as a whole
    status: Status
    reason: str
    seconds: float
    expected: str = ""
    actual: str = ""
    request_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    stack: str
    target: str
    results: tuple[Result, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.status != "fail" for r in self.results)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.status == s) for s in ("pass", "fail", "skip")}

    def patterns(self) -> dict[str, list[Result]]:
        grouped: dict[str, list[Result]] = {}
        for result in self.results:
            grouped.setdefault(result.pattern, []).append(result)
        return grouped


def run(target: Target, patterns: Iterable[str] = (), checks: Iterable[str] = (),
        http: Callable[[], Http] = Http, sleep: Callable[[float], None] = time.sleep,
        create_show: bool = False) -> Report:
    """Every selected check of every selected pattern (all by default), patterns in parallel.

    ``create_show``: where no show is on sale, the verification user creates the stack's verification
    show (as an admin), which stays for later runs; otherwise the purchase checks are skipped."""
    started = time.perf_counter()
    names = list(patterns) or list(target.patterns)
    unknown = [n for n in names if n not in target.patterns]
    if unknown:
        raise ValueError(f"stack {target.stack} runs no pattern {', '.join(unknown)} "
                         f"(it runs {', '.join(target.patterns)})")
    selected = select(checks)
    with ThreadPoolExecutor(max(1, len(names))) as pool:
        per_pattern = list(pool.map(lambda n: run_pattern(target, n, selected, http(), sleep, create_show), names))
    stack_ctx = Context(target, None, http(), sleep)
    stack_results = [_execute(c, stack_ctx, None, STACK) for c in selected
                     if c.scope == "stack" and target.kind in c.targets]
    results = tuple(r for rs in per_pattern for r in rs) + tuple(stack_results)
    return Report(target.stack, target.kind, results, time.perf_counter() - started)


def select(names: Iterable[str] = ()) -> list[Check]:
    """The checks named (with the checks they need), in run order; every check when none is named."""
    wanted = set(names)
    known = {c.name for c in CHECKS}
    if wanted - known:
        raise ValueError(f"no check named {', '.join(sorted(wanted - known))} (checks: {', '.join(known)})")
    if not wanted:
        return list(CHECKS)
    grown = None
    while grown != wanted:
        grown = set(wanted)
        wanted |= {need for c in CHECKS if c.name in grown for need in c.needs}
    return [c for c in CHECKS if c.name in wanted]


def run_pattern(target: Target, pattern: str, checks: Iterable[Check] | None = None, http: Http | None = None,
                sleep: Callable[[float], None] = time.sleep, create_show: bool = False) -> list[Result]:
    """One pattern's checks (all by default) in order, then its clean-up, whatever failed."""
    ctx = Context(target, target.patterns[pattern], http or Http(), sleep, create_show)
    results: list[Result] = []
    try:
        for check in CHECKS if checks is None else checks:
            if check.scope == "stack" or target.kind not in check.targets:
                continue
            if any(not any(r.check == n for r in results) for n in check.needs):
                continue  # what it needs is not part of this pattern: neither is it
            blocked = [n for n in check.needs if not any(r.check == n and r.status == "pass" for r in results)]
            for subject in check.subjects(ctx):
                if blocked:
                    results.append(Result(pattern, check.name, _name(subject), "skip",
                                          f"needs {', '.join(blocked)}, which did not pass", 0.0))
                else:
                    results.append(_execute(check, ctx, subject, pattern))
    finally:
        if ctx.user is not None or ctx.bought:
            results.append(_timed(pattern, "cleanup", "", lambda: clean_up(ctx)))
    return results


def _execute(check: Check, ctx: Context, subject: Any, pattern: str) -> Result:
    return _timed(pattern, check.name, _name(subject), lambda: check.run(ctx, subject))


def _name(subject: Any) -> str:
    """An API by its name, a site by its URL, the pattern as a whole by nothing."""
    return getattr(subject, "name", None) or subject or ""


def _timed(pattern: str, name: str, subject: str, run: Callable[[], str]) -> Result:
    started = time.perf_counter()
    try:
        reason = run()
        return Result(pattern, name, subject, "pass", reason, time.perf_counter() - started)
    except Skipped as skip:
        return Result(pattern, name, subject, "skip", str(skip), time.perf_counter() - started)
    except Failed as failure:
        return Result(pattern, name, subject, "fail", str(failure), time.perf_counter() - started,
                      failure.expected, failure.actual, failure.request_id)
    except Exception as error:  # noqa: BLE001 (an unreachable endpoint, an AWS error: the run goes on)
        return Result(pattern, name, subject, "fail", f"{type(error).__name__}: {error}",
                      time.perf_counter() - started, expected="an answer", actual=str(error),
                      request_id=request_id(error))
