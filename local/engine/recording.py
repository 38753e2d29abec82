"""What a run registered: every resource (type, name, inputs, outputs, parent, dependencies) and the stack outputs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from local.engine import pulumi_internals as sdk

from local.engine.mocks import Mocks


@dataclass
class Registration:
    """One registered resource as the program declared it."""

    urn: str
    type: str
    name: str
    inputs: dict
    outputs: dict
    parent: str
    custom: bool
    dependencies: list[str]
    provider: str
    protect: bool
    delete_before_replace: bool
    id: str = ""
    # Options that change what ``pulumi up`` does with the resource later (diffs, replacements, destroy).
    ignore_changes: list[str] = field(default_factory=list)      # as the provider names them (camelCase)
    retain_on_delete: bool = False
    replace_on_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)             # URNs, or the alias's name when given as a spec
    deleted_with: str = ""
    additional_secret_outputs: list[str] = field(default_factory=list)

    @property
    def parent_name(self) -> str:
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


class DuplicateUrnError(RuntimeError):
    """Two resources share a URN (type, name and parent type chain); ``pulumi up`` refuses that too."""


class RecordingMonitor(sdk.MockMonitor):
    """A mock monitor that also records what each registration declared."""

    def __init__(self, mocks: Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.duplicates: list[str] = []  # URNs registered more than once (the run fails once it ends)
        self._urns: set[str] = set()
        self._lock = threading.Lock()  # registrations arrive on several threads at once

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            if urn in self._urns:
                self.duplicates.append(urn)
            self._urns.add(urn)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = sdk.deserialize(request.object)
        state = self.resources[response.urn].state
        self.registrations.append(Registration(
            urn=response.urn, type=request.type, name=request.name, inputs=inputs, outputs=dict(state),
            parent=request.parent, custom=request.custom, dependencies=list(request.dependencies),
            provider=request.provider, protect=bool(request.protect),
            delete_before_replace=bool(request.deleteBeforeReplace), id=response.id,
            ignore_changes=list(request.ignoreChanges), retain_on_delete=bool(request.retainOnDelete),
            replace_on_changes=list(request.replaceOnChanges), aliases=_aliases(request),
            deleted_with=request.deletedWith, additional_secret_outputs=list(request.additionalSecretOutputs)))
        return response

    def RegisterResourceOutputs(self, request):
        # A component's outputs (register_outputs) become its registration's outputs.
        outputs = sdk.deserialize(request.outputs)
        for registration in self.registrations:
            if registration.urn == request.urn:
                registration.outputs = outputs
        return super().RegisterResourceOutputs(request)


def _aliases(request) -> list[str]:
    return [*request.aliasURNs, *(alias.urn or alias.spec.name for alias in request.aliases)]


@dataclass
class Recording:
    """Every resource a run registered, with query helpers, and the stack outputs."""

    registrations: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        if len(found) != 1:
            raise LookupError(f"{len(found)} resources named {name!r}; names: "
                              f"{sorted(r.name for r in self.registrations)[:40]}")
        return found[0]

    def one(self, type_: str, name_contains: str = "") -> Registration:
        found = [r for r in self.of_type(type_) if name_contains in r.name]
        if len(found) != 1:
            raise LookupError(f"{len(found)} resources of type {type_} containing {name_contains!r}: "
                              f"{[r.name for r in found]}")
        return found[0]

    def children_of(self, parent: Registration | str) -> list[Registration]:
        urn = parent.urn if isinstance(parent, Registration) else parent
        return [r for r in self.registrations if r.parent == urn]

    def descendants_of(self, parent: Registration) -> list[Registration]:
        out, queue = [], [parent.urn]
        while queue:
            urn = queue.pop()
            for child in self.children_of(urn):
                out.append(child)
                queue.append(child.urn)
        return out

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.registrations:
            counts[r.type] = counts.get(r.type, 0) + 1
        return dict(sorted(counts.items()))



def tree(recording: Recording) -> list[tuple[int, Registration]]:
    """Registrations in parent → child order with their depth, for printing.

    Siblings come by name, then type: the order the program registers in depends on when
    its Outputs resolve, and two trees of the same program must be the same text (diffable).
    """
    by_parent: dict[str, list[Registration]] = {}
    urns = {r.urn for r in recording.registrations}
    for r in sorted(recording.registrations, key=lambda r: (r.name, r.type)):
        by_parent.setdefault(r.parent if r.parent in urns else "", []).append(r)
    out: list[tuple[int, Registration]] = []

    def walk(urn: str, depth: int) -> None:
        for child in by_parent.get(urn, []):
            out.append((depth, child))
            walk(child.urn, depth + 1)

    walk("", 0)
    return out
