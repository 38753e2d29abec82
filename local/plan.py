"""``python -m local plan``: what a change of settings would do to a stack, offline.

The program runs twice under the offline engine, as the stack is configured and with the
changed settings, and the two registrations are compared resource by resource (by URN):

- **update**: inputs changed, none of them replaces the resource;
- **replace**: an input changed that the provider replaces the resource for
  (``multitier/_replacement``, named in the output), or a resource it refers to is replaced and
  the input holding its id, ARN or name forces a replacement too (Pulumi sees those values as
  unknown in a preview and decides the same way);
- **create** / **delete**: registered by one run only (a delete of what is ``retain_on_delete``
  leaves it in the account);
- **refused**: the change stops before anything happens: a protected resource would be
  replaced or deleted, a dynamic resource's ``check`` refuses the new inputs (the network's
  layout), or the program itself refuses the settings.

A replacement or delete of what holds data (the type table's ``stateful``) is marked as data
loss; a replacement created before the old one is deleted that would take a fixed name twice,
or give a parent a second of what it holds one of, is marked as failing; an input the provider
replaces for only under a condition (``replace_if``) is named as a possible replacement. The
exit code is 1 when something is refused or fails, or would lose data in a stack that keeps
its data (``dataDeletionProtection``); 2 for settings that are not valid.
This is the part of ``pulumi preview --diff`` that needs no credentials: what the provider
would compute itself (defaults, normalised values) is not seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Mapping

import pulumi
from pulumi.output import Unknown

from local import engine
from local.engine import TYPES
from multitier._replacement import dynamic_providers, replacement
from multitier._settings.loader import settings_from_config
from multitier._settings.model import config_keys, value_of

NAMESPACE = "multitier"
PROTECTED_STACK = f"{NAMESPACE}:dataDeletionProtection"
_RENEWED_MIN = 8  # shorter output values (ports, flags) are not identities worth following


@dataclass
class Step:
    """What happens to one resource."""

    action: str                                              # update | replace | create | delete | refused
    type: str
    name: str
    urn: str
    inputs: list[str] = field(default_factory=list)          # the changed inputs
    forced_by: list[str] = field(default_factory=list)       # the inputs that replace it
    may_replace: list[str] = field(default_factory=list)     # inputs that replace it only under a condition
    because: list[str] = field(default_factory=list)         # replaced resources whose new values it takes
    reason: str = ""                                         # why it is refused
    fails: str = ""                                          # why the replacement, created first, fails
    data_loss: str = ""                                      # what a replacement or delete of it loses
    delete_first: bool = False
    retained: bool = False                                   # deleted from the stack, left in the account


@dataclass
class Plan:
    stack: str
    changes: dict[str, list[Any]]                            # setting → [before, after]
    steps: list[Step]
    protected: bool                                          # the stack keeps its data
    refused: str = ""                                        # the program refused the settings

    @property
    def exit_code(self) -> int:
        stops = self.refused or any(s.action == "refused" or s.fails for s in self.steps)
        return 1 if stops or (self.protected and any(s.data_loss for s in self.steps)) else 0

    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ("update", "replace", "create", "delete", "refused")}
        for step in self.steps:
            counts[step.action] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "changes": self.changes, "protected": self.protected, "refused": self.refused,
                "counts": self.counts(), "exit_code": self.exit_code,
                "steps": [{k: v for k, v in asdict(s).items() if v not in ("", [], False)} for s in self.steps]}


def setting_key(key: str) -> str:
    """``networkCidr`` → ``multitier:networkCidr``; a namespaced key (``aws:region``) as it is."""
    return key if ":" in key else f"{NAMESPACE}:{key}"


def canonical(value: Any) -> Any:
    """An input as plain data: unknowns and assets as markers, engine-only keys (``__provider``) left out."""
    if isinstance(value, Unknown):
        return "<unknown>"
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return f"<{type(value).__name__} {getattr(value, 'path', '') or getattr(value, 'text', '')}>"
    if isinstance(value, Mapping):
        return {k: canonical(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def changed_paths(old: Any, new: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths (list positions left out) where ``old`` and ``new`` differ."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            yield from changed_paths(old.get(key), new.get(key), f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for before, after in zip(old, new):
            yield from changed_paths(before, after, prefix)
    elif old != new:
        yield prefix


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, prefix)
    else:
        yield prefix, value


def _renewed(registration: engine.Registration, inputs: list[str]) -> set[str]:
    """Values that are new when the resource is replaced: what others then see as unknown in a preview.

    Its id and the outputs built on it (its ARN, endpoints); for awsx's VPC, the outputs its
    changed ``inputs`` renew (the VPC id, the subnet ids).
    """
    record = replacement(registration.type)
    if record.renews:
        keys = {out for key in inputs for out in record.renews.get(key.split(".")[0], ())}
        return {v for key, v in leaves(canonical(registration.outputs))
                if key.split(".")[0] in keys and isinstance(v, str) and len(v) >= _RENEWED_MIN}
    identity = registration.id
    if len(identity) < _RENEWED_MIN:
        return set()
    return {identity} | {v for _, v in leaves(canonical(registration.outputs)) if isinstance(v, str) and identity in v}


def planned(registration: engine.Registration) -> bool:
    """Resources with a provider, and awsx's components (whose children the program does not see)."""
    return registration.custom or registration.type in TYPES


def steps(before: engine.Recording, after: engine.Recording) -> list[Step]:
    """Every resource's step from ``before`` to ``after`` (unchanged ones left out)."""
    old = {r.urn: r for r in before.registrations if planned(r)}
    new = {r.urn: r for r in after.registrations if planned(r)}
    out: dict[str, Step] = {}
    for urn, registration in new.items():
        if urn not in old:
            out[urn] = Step("create", registration.type, registration.name, urn)
            continue
        inputs = sorted(set(changed_paths(canonical(old[urn].inputs), canonical(registration.inputs))))
        if inputs or old[urn].provider != registration.provider:
            out[urn] = _decide(Step("update", registration.type, registration.name, urn, inputs), registration,
                               provider_changed=old[urn].provider.rsplit("::", 1)[0]
                               != registration.provider.rsplit("::", 1)[0])
    for urn, registration in old.items():
        if urn not in new:
            out[urn] = Step("delete", registration.type, registration.name, urn)
    _follow_replacements(out, new)
    for urn, step in out.items():
        _mark(step, old.get(urn), new.get(urn))
    return sorted(out.values(), key=lambda s: (s.action, s.type, s.name))


def _decide(step: Step, registration: engine.Registration, provider_changed: bool = False) -> Step:
    record = replacement(registration.type)
    forced = [path for path in step.inputs if record.forcing(path)
              or any(path == p or path.startswith(p + ".") for p in registration.replace_on_changes)]
    if provider_changed:
        forced.append("(provider)")
    if forced:
        step.action, step.forced_by = "replace", forced
    step.may_replace = [path for path in step.inputs if path not in forced and record.conditional(path)]
    return step


def _follow_replacements(out: dict[str, Step], new: dict[str, engine.Registration]) -> None:
    """Resources taking a replaced resource's new id, ARN or name: updated, or replaced in turn."""
    followed: set[str] = set()
    while True:
        replaced = [s for s in out.values() if s.action == "replace" and s.urn not in followed and s.urn in new]
        if not replaced:
            return
        for step in replaced:
            followed.add(step.urn)
            values = _renewed(new[step.urn], step.inputs)
            if not values:
                continue
            pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            for urn, registration in new.items():
                if step.urn not in registration.dependencies or urn == step.urn:
                    continue
                paths = sorted({path for path, value in leaves(canonical(registration.inputs))
                                if isinstance(value, str) and pattern.search(value)})
                if not paths:
                    continue
                dependent = out.get(urn) or Step("update", registration.type, registration.name, urn)
                if dependent.action in ("create", "delete"):
                    continue
                dependent.inputs = sorted(set(dependent.inputs) | set(paths))
                dependent.because = sorted(set(dependent.because) | {step.name})
                out[urn] = _decide(dependent, registration) if dependent.action != "replace" else dependent
                if dependent.action == "replace":
                    record = replacement(registration.type)
                    dependent.forced_by = sorted(set(dependent.forced_by) | {p for p in paths if record.forcing(p)})


def _mark(step: Step, old: engine.Registration | None, new: engine.Registration | None) -> None:
    """Data loss, delete-first, collisions, and refusals: protection, and a dynamic resource's own check."""
    record = TYPES.get(step.type)
    if step.action in ("replace", "delete"):
        step.retained = bool(step.action == "delete" and old is not None and old.retain_on_delete)
        step.data_loss = record.stateful if record and not step.retained else ""
        if old is not None and old.protect:
            step.action, step.reason = "refused", (f"protected: Pulumi refuses to {step.action} it (turn "
                                                   f"protection off first)")
    if step.action == "replace" and new is not None and record is not None:
        step.delete_first = new.delete_before_replace
        inputs = canonical(new.inputs)
        named = inputs.get(record.name.key) if record.name else None
        replacing = {path.split(".")[0]: inputs.get(path.split(".")[0]) for path in step.forced_by}
        step.fails = "" if step.delete_first else record.collision(named, replacing)
    provider = dynamic_providers().get(step.type)
    if provider is not None and old is not None and new is not None:
        failures = provider().check(canonical(old.inputs), canonical(new.inputs)).failures or []
        if failures:
            step.action, step.reason = "refused", "; ".join(f"{f.property}: {f.reason}" for f in failures)


def current(config: Mapping[str, Any], key: str) -> Any:
    """A setting's value in ``config``, its default when the stack does not set it."""
    namespace, _, name = key.partition(":")
    if namespace != NAMESPACE or key in config:
        return config.get(key)
    section, field_name, _ = config_keys()[name]
    return value_of(settings_from_config(config), section, field_name)


def plan(stack: str, settings: Mapping[str, Any], base: Mapping[str, Any] | None = None,
         before: engine.Recording | None = None) -> Plan:
    """The plan of setting ``settings`` on ``stack`` (with ``base`` set in both runs; ``before``: its run)."""
    config = {**engine.stack_config(stack), **{setting_key(k): v for k, v in (base or {}).items()}}
    overrides = {setting_key(k): v for k, v in settings.items()}
    changes = {key: [current(config, key), value] for key, value in overrides.items()}
    protected = str(config.get(PROTECTED_STACK, "true")).lower() != "false"
    before = before or engine.run_stack(stack, overrides=config)
    try:
        after = engine.run_stack(stack, overrides={**config, **overrides})
    except ValueError as error:  # the program refuses (a component's own check); bad settings raise SettingsError
        if type(error).__name__ == "SettingsError":
            raise
        return Plan(stack, changes, [], protected, refused=str(error))
    return Plan(stack, changes, steps(before, after), protected)


def render(result: Plan) -> str:
    change = "; ".join(f"{key} {json.dumps(b)} → {json.dumps(a)}" for key, (b, a) in result.changes.items())
    lines = [f"Offline plan of stack {result.stack!r}: {change}"]
    if result.refused:
        lines.append(f"  refused by the program: {result.refused}")
    width = max((len(s.action) for s in result.steps), default=0)
    for s in result.steps:
        detail = []
        if s.forced_by:
            detail.append("replaced for " + ", ".join(s.forced_by) + (" (deleted first)" if s.delete_first else ""))
        elif s.inputs:
            detail.append(", ".join(s.inputs[:6]) + (" …" if len(s.inputs) > 6 else ""))
        if s.because:
            detail.append("takes the new " + ", ".join(s.because))
        if s.may_replace:
            detail.append("replaced if the provider finds it must: " + ", ".join(s.may_replace))
        if s.retained:
            detail.append("retained: left in the account")
        if s.fails:
            detail.append(f"FAILS: {s.fails}")
        if s.reason:
            detail.append(s.reason)
        if s.data_loss:
            detail.append(f"DATA LOSS: {s.data_loss}")
        lines.append(f"  {s.action.ljust(width)}  {s.type}  {s.name}" + (f"  ({'; '.join(detail)})" if detail else ""))
    counts = result.counts()
    lost = sum(1 for s in result.steps if s.data_loss)
    lines.append(f"{counts['update']} to update, {counts['replace']} to replace, {counts['create']} to create, "
                 f"{counts['delete']} to delete, {counts['refused']} refused; {lost} losing data"
                 f"{' (the stack keeps its data: exit 1)' if lost and result.protected else ''}")
    return "\n".join(lines)
