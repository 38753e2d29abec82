"""Lambda's versions and aliases, locally: an invocation through an alias runs one of its versions, by weight.

Each function starts with the version the program published (local mode's runtime runs it) and
its aliases as registered. ``publish`` adds a version of new code, run by workers of its own,
next to the running one; ``route`` points an alias at a version and may send a share of its
invocations to another (Lambda's ``AdditionalVersionWeights``): each invocation picks at random
with that probability, and its result says which version ran (``executed_version``, which the
local CloudWatch records as ``ExecutedVersion`` and the gateway's access log as ``version``). An
unqualified name runs the newest version (``$LATEST``); a version number runs that version.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from local.lambda_ import FunctionNotFound, InvokeResult, LambdaRuntime, function_name_of
from local.model import LocalFunction


def qualifier_of(name_or_arn: str) -> str:
    """``live`` of ``fn:live`` or ``arn:aws:lambda:r:a:function:fn:live``; "" when unqualified."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return parts[7] if len(parts) > 7 else ""
    return name_or_arn.partition(":")[2]


@dataclass
class Route:
    """Where an alias sends invocations: ``version``, except ``weights`` (version → share 0..1) of them."""

    version: str
    weights: dict[str, float] = field(default_factory=dict)

    def pick(self, draw: float) -> str:
        for version, weight in self.weights.items():
            if draw < weight:
                return version
            draw -= weight
        return self.version


class Aliases:
    """Invokes functions by name, version or alias (``invoke``), running each version in its own workers."""

    def __init__(self, runtime: LambdaRuntime, functions: Sequence[LocalFunction],
                 aliases: Mapping[tuple[str, str], str], new_runtime: Callable[[], LambdaRuntime],
                 draw: Callable[[], float] = random.random):
        """``aliases``: (function, alias) → version as registered; ``new_runtime()`` runs a published version."""
        self._runtimes: dict[tuple[str, str], LambdaRuntime] = {(fn.name, fn.version): runtime for fn in functions}
        self._functions = {(fn.name, fn.version): fn for fn in functions}
        self._routes = {key: Route(version) for key, version in aliases.items()}
        self._new_runtime, self.draw = new_runtime, draw
        self._own: list[LambdaRuntime] = []
        self._lock = threading.Lock()

    def invoke(self, name_or_arn: str, event: Any, timeout: float | None = None) -> InvokeResult:
        name = function_name_of(name_or_arn)
        version = self.resolve(name, qualifier_of(name_or_arn))
        runtime = self._runtimes[(name, version)]
        # (no timeout: the runtime's own, the function's; stand-ins for the runtime take just the two)
        result = runtime.invoke(name_or_arn, event) if timeout is None else \
            runtime.invoke(name_or_arn, event, timeout=timeout)
        result.executed_version = version
        return result

    def resolve(self, name: str, qualifier: str) -> str:
        """The version an invocation of ``name:qualifier`` runs (drawing for a weighted alias)."""
        with self._lock:
            versions = self.versions(name)
            if not versions:
                raise FunctionNotFound(f"Function not found: {name}")
            if qualifier in ("", "$LATEST"):
                return versions[-1]
            if qualifier.isdigit():
                if qualifier not in versions:
                    raise FunctionNotFound(f"Function not found: {name}:{qualifier}")
                return qualifier
            route = self._routes.get((name, qualifier))
            if route is None:
                raise FunctionNotFound(f"Function not found: {name}:{qualifier} (no such alias)")
            return route.pick(self.draw())

    def versions(self, name: str) -> list[str]:
        return sorted((v for n, v in self._functions if n == name), key=lambda v: int(v) if v.isdigit() else -1)

    def function(self, name: str, version: str = "") -> LocalFunction:
        """``version`` of ``name`` (default: the one its alias serves, as ``serving``)."""
        return self._functions[(name, version or self.serving(name))]

    def serving(self, name: str) -> str:
        """The version ``name``'s alias serves (its first), or its newest when it has no alias."""
        with self._lock:
            route = next((r for (fn, _), r in self._routes.items() if fn == name), None)
        return route.version if route is not None else self.versions(name)[-1]

    def replace(self, fn: LocalFunction, on_drained: Callable[[], None] | None = None) -> None:
        """New code for the version ``fn.name`` serves, in place (a code reload: ``LambdaRuntime.replace``)."""
        version = self.serving(fn.name)
        replaced = dataclasses.replace(fn, version=version)
        self._runtimes[(fn.name, version)].replace(replaced, on_drained=on_drained)
        self._functions[(fn.name, version)] = replaced

    def publish(self, fn: LocalFunction) -> str:
        """A new version of ``fn.name`` with ``fn``'s code (workers of its own); its number."""
        with self._lock:
            numbers = [int(v) for v in self.versions(fn.name) if v.isdigit()]
            if not numbers:
                raise FunctionNotFound(f"Function not found: {fn.name}")
            version = str(max(numbers) + 1)
            published = dataclasses.replace(fn, version=version)
            runtime = self._new_runtime()
            runtime.start(published, prewarm=True)  # its init overlaps the others', as Lambda publishes ahead
            self._own.append(runtime)
            self._functions[(fn.name, version)] = published
            self._runtimes[(fn.name, version)] = runtime
            return version

    def route(self, name: str, alias: str, version: str, weights: Mapping[str, float] | None = None) -> None:
        """Point ``name:alias`` at ``version``, sending ``weights`` (version → share 0..1) elsewhere."""
        with self._lock:
            if (name, alias) not in self._routes:
                raise FunctionNotFound(f"Function not found: {name}:{alias} (no such alias)")
            unknown = [v for v in (version, *(weights or {})) if (name, v) not in self._functions]
            if unknown or sum((weights or {}).values()) > 1:
                raise ValueError(f"{name}:{alias}: versions {unknown} unknown, or weights {weights} above 1")
            self._routes[(name, alias)] = Route(version, dict(weights or {}))

    def alias(self, name: str, alias: str) -> Route:
        with self._lock:
            route = self._routes[(name, alias)]
            return Route(route.version, dict(route.weights))

    def stop(self) -> None:
        """Stop the workers of the versions published here (local mode stops its own runtime)."""
        for runtime in self._own:
            runtime.stop()
