"""Rules, the resources they read and the findings they make.

A rule reads plain property maps the way CrossGuard hands them over: camelCase keys,
and during preview some values unknown. Reading an unknown value raises
``UnknownValueError`` (pulumi-policy's own proxy), which the runner turns into "could
not be evaluated" rather than a violation, so a rule never guesses.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

SEVERITIES = ("low", "medium", "high", "critical")
LEVELS = ("mandatory", "advisory", "disabled")  # strictest first
KINDS = ("security", "deploy", "limits", "cost")

# Pulumi appends seven hex digits to a logical name or a name prefix.
AUTONAME_SUFFIX = "0a1b2c3"


@dataclass(frozen=True)
class Resource:
    """One registered resource: its type token, logical name, inputs and options."""

    type: str
    name: str
    props: Mapping[str, Any]
    urn: str = ""
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    provider_region: str | None = None  # None: the default provider (the stack's region)
    delete_before_replace: bool = False
    ignore_changes: tuple[str, ...] = ()
    protect: bool = False
    retain_on_delete: bool | None = None  # None: not known (CrossGuard does not hand it over)

    def get(self, *path: str | int, default: Any = None) -> Any:
        return get(self.props, *path, default=default)

    def physical_name(self, key: str = "name", prefix_key: str = "namePrefix") -> tuple[str, bool]:
        """The name AWS will see and whether Pulumi generates it (a stand-in suffix when it does)."""
        value = self.get(key)
        if value:
            return value, bool(re.fullmatch(rf"{re.escape(self.name)}-[0-9a-f]{{7}}", value))
        return f"{self.get(prefix_key) or self.name + '-'}{AUTONAME_SUFFIX}", True


@dataclass
class Stack:
    """Every resource of one stack, with the stack's name and config (``aws:region``, ``multitier:...``) when known."""

    resources: list[Resource]
    name: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def aws_settings(self) -> dict[str, Any]:
        """The ``aws:*`` settings, keyed without the namespace (``region``, ``allowedAccountIds``)."""
        return {key.removeprefix("aws:"): value for key, value in self.config.items()
                if key.startswith("aws:") and ":" not in key.removeprefix("aws:")}

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def dependencies_of(self, resource: Resource, *types: str) -> list[Resource]:
        found = [self.by_urn(urn) for urn in resource.dependencies]
        return [r for r in found if r is not None and (not types or r.type in types)]

    def ancestors(self, resource: Resource) -> Iterator[Resource]:
        parent = self.by_urn(resource.parent)
        while parent is not None:
            yield parent
            parent = self.by_urn(parent.parent)


@dataclass(frozen=True)
class Finding:
    """A rule's complaint: about one resource, or about the stack (resource None)."""

    resource: Resource | None
    message: str


ResourceCheck = Callable[..., Iterable[str]]
StackCheck = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A named check, cdk-nag style: stable id, description, severity, the fix and its default level.

    ``level`` is the enforcement a stack gets unless its policy config names the rule:
    ``advisory`` for a choice with a trade-off (arm64, on-demand billing), which a
    reviewer weighs rather than fixes.
    """

    id: str
    kind: str
    description: str
    severity: str
    remediation: str
    check: Callable[..., Iterable[Any]]
    types: tuple[str, ...] = ()  # resource rules: the types they read; empty: a stack rule
    params: Mapping[str, Any] = field(default_factory=dict)  # configurable, with defaults
    level: str = "mandatory"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"MT-[A-Z0-9]+-\d+", self.id):
            raise ValueError(f"rule id {self.id!r} must look like MT-<SERVICE>-<n>")
        if self.severity not in SEVERITIES or self.kind not in KINDS or self.level not in LEVELS[:2]:
            raise ValueError(f"rule {self.id}: severity must be one of {SEVERITIES}, kind one of {KINDS}, "
                             f"level one of {LEVELS[:2]}")

    @property
    def is_stack_rule(self) -> bool:
        return not self.types

    def evaluate(self, stack: Stack, params: Mapping[str, Any] | None = None) -> tuple[list[Finding], list[str]]:
        """Findings, and the names of resources (or "stack") the rule could not read yet."""
        args = ({**self.params, **(params or {})},) if self.params else ()
        findings: list[Finding] = []
        unknown: list[str] = []
        if self.is_stack_rule:
            try:
                findings.extend(self.check(stack, *args))
            except UnknownValueError:
                unknown.append("stack")
            return findings, unknown
        for resource in stack.of_type(*self.types):
            try:
                findings.extend(Finding(resource, m) for m in self.check(resource, *args))
            except UnknownValueError:
                unknown.append(resource.name)
        return findings, unknown


def resource_rule(id: str, types: str | Sequence[str], *, description: str, remediation: str,
                  severity: str = "high", kind: str = "security", params: Mapping[str, Any] | None = None,
                  level: str = "mandatory") -> Callable[[ResourceCheck], Rule]:
    """Make ``check(resource[, params]) -> messages``, run for each resource of ``types``, a Rule."""
    def decorate(check: ResourceCheck) -> Rule:
        return Rule(id, kind, description, severity, remediation, check,
                    (types,) if isinstance(types, str) else tuple(types), dict(params or {}), level)
    return decorate


def stack_rule(id: str, *, description: str, remediation: str, severity: str = "high", kind: str = "security",
               params: Mapping[str, Any] | None = None, level: str = "mandatory") -> Callable[[StackCheck], Rule]:
    """Make ``check(stack[, params]) -> findings``, run over the whole stack, a Rule."""
    def decorate(check: StackCheck) -> Rule:
        return Rule(id, kind, description, severity, remediation, check, (), dict(params or {}), level)
    return decorate


def collect(modules: Iterable[ModuleType]) -> dict[str, Rule]:
    """The rules the ``modules`` define, by id: each module holds the ids of one prefix (its ``PREFIX``),
    so a rule id leads to one file, and no two modules share a prefix or an id."""
    rules: dict[str, Rule] = {}
    owners: dict[str, str] = {}
    for module in modules:
        prefix = getattr(module, "PREFIX", None)
        if prefix in owners:
            raise ValueError(f"{module.__name__} and {owners[prefix]} both declare PREFIX {prefix!r}")
        owners[prefix] = module.__name__
        for value in vars(module).values():
            for rule in value if isinstance(value, tuple) else (value,):
                if not isinstance(rule, Rule):
                    continue
                if not rule.id.startswith(f"{prefix}-"):
                    raise ValueError(f"rule {rule.id} is defined in {module.__name__}, whose rules are {prefix}-<n>")
                if rule.id in rules and rules[rule.id] is not rule:
                    raise ValueError(f"rule id {rule.id} is defined twice in {module.__name__}")
                rules[rule.id] = rule
    return dict(sorted(rules.items(), key=lambda item: _id_order(item[0])))


def _id_order(rule_id: str) -> tuple[str, int]:
    prefix, _, number = rule_id.rpartition("-")
    return prefix, int(number)


# --- reading properties ------------------------------------------------------

def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """``value[p0][p1]…`` through maps and lists, or ``default`` where a step is missing."""
    for step in path:
        if isinstance(step, int) and isinstance(value, Sequence) and not isinstance(value, str):
            if not -len(value) <= step < len(value):
                return default
            value = value[step]
        elif isinstance(value, Mapping) and step in value:
            value = value[step]
        else:
            return default
    return value


def items(value: Any) -> list[Any]:
    """A list property as a list; a scalar as a one-item list; missing as empty."""
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of an IAM policy document given as JSON text or a map."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    return [s for s in items(get(document, "Statement")) if isinstance(s, Mapping)]


def matches(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern)


def proxied(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Wrap plain props like CrossGuard does, so unknowns raise on access."""
    return unknown_checking_proxy(dict(props))
