"""The mutation harness: one-resource changes to what a stack registers, and what the pack must say.

A stack is recorded once (the session's ``dev``/``prod`` fixtures, or ``recorded.record``);
each mutation copies the recording, changes, adds or removes one resource and runs the
rules the way ``python -m local check`` does (the stack's config: levels, parameters,
suppressions). A *catch* must draw a mandatory violation of its named rule; a *secure
variant* (a sensible, safe change) must draw no mandatory violation at all.

``python -m tests.policy.mutation`` prints the catch rate and the false alarms of the pack
as it is (also counting catches by any mandatory rule, for a pack that predates a rule id).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from policy.core import Resource, Stack, proxied

ACCOUNT = "123456789012"
REGION = "us-east-1"
Change = Callable[[Stack], Stack]


@dataclass(frozen=True)
class Mutation:
    """``change`` applied to ``stack``; ``rule`` the id that must catch it (None: a secure variant)."""

    id: str
    kind: str  # the class: wildcards, public, same-setting, secrets, new-areas, limits, severity, …
    change: Change
    rule: str | None = None
    stack: str = "prod"


# --- reading and writing recorded resources ------------------------------------------------

def plain(value: Any) -> Any:
    """A recorded (proxied) value as plain dicts and lists, unknowns left as their sentinels."""
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        value = value["__target"]  # pulumi-policy's proxies hand their target over under this key
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def find(stack: Stack, name: str) -> Resource:
    """The resource (not a component of this program) named ``name``; ``name@s3/bucket:`` where names
    of two types are the same (the part after ``@`` is part of the type token)."""
    name, _, kind = name.partition("@")
    found = [r for r in stack.resources if r.name == name and kind in r.type and not r.type.startswith("multitier:")]
    if len(found) != 1:
        raise LookupError(f"{stack.name}: {len(found)} resources named {name!r}")
    return found[0]


def edit(name: str, change: Callable[[dict], Any]) -> Change:
    """Change resource ``name``'s props in place (``change`` gets a plain copy and edits it)."""
    def apply(stack: Stack) -> Stack:
        target = find(stack, name)
        props = copy.deepcopy(plain(target.props))
        change(props)
        changed = dataclasses.replace(target, props=proxied(props))
        return dataclasses.replace(stack, resources=[changed if r is target else r for r in stack.resources])
    return apply


def setting(name: str, /, **values: Any) -> Change:
    """Set props of ``name`` by path (``a__b__0`` is ``props["a"]["b"][0]``); None removes the key."""
    def change(props: dict) -> None:
        for path, value in values.items():
            keys = [int(k) if k.isdigit() else k for k in path.split("__")]
            target = props
            for key in keys[:-1]:
                if isinstance(key, str) and key not in target:
                    target[key] = {}
                target = target[key]
            if value is None:
                target.pop(keys[-1], None)
            else:
                target[keys[-1]] = value
    return edit(name, change)


def document(name: str, change: Callable[[dict], Any], key: str = "policy") -> Change:
    """Change the JSON document in prop ``key`` of ``name`` (a policy, a trust policy, an API body)."""
    def apply(props: dict) -> None:
        value = props.get(key)
        parsed = json.loads(value) if isinstance(value, str) else copy.deepcopy(value)
        change(parsed)
        props[key] = json.dumps(parsed)
    return edit(name, apply)


def with_statement(name: str, statement: dict, key: str = "policy") -> Change:
    return document(name, lambda doc: doc["Statement"].append(statement), key)


def add(type_: str, name: str, props: dict, *, depends_on: Iterable[str] = (), parent: str = "") -> Change:
    """Register one more resource, depending on the resources named ``depends_on``."""
    def apply(stack: Stack) -> Stack:
        deps = tuple(find(stack, d).urn for d in depends_on)
        urn = f"urn:pulumi:{stack.name}::multitier::{type_}::{name}"
        resource = Resource(type=type_, name=name, props=proxied(copy.deepcopy(props)), urn=urn,
                            parent=find(stack, parent).urn if parent else "", dependencies=deps,
                            provider_region=REGION)
        return dataclasses.replace(stack, resources=[*stack.resources, resource])
    return apply


def remove(name: str) -> Change:
    def apply(stack: Stack) -> Stack:
        target = find(stack, name)
        return dataclasses.replace(stack, resources=[r for r in stack.resources if r is not target])
    return apply


def option(name: str, /, **options: Any) -> Change:
    """Change resource options of ``name`` (``delete_before_replace``, ``ignore_changes``, …)."""
    def apply(stack: Stack) -> Stack:
        target = find(stack, name)
        changed = dataclasses.replace(target, **options)
        return dataclasses.replace(stack, resources=[changed if r is target else r for r in stack.resources])
    return apply


# --- running ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    mutation: Mutation
    rules: frozenset[str]  # rules with a new mandatory, unsuppressed violation
    messages: tuple[str, ...]
    error: str = ""

    @property
    def caught(self) -> bool:
        return self.mutation.rule in self.rules

    @property
    def caught_by_any(self) -> bool:
        return bool(self.rules)

    @property
    def clean(self) -> bool:
        return not self.rules and not self.error


def mandatory(stack: Stack, configs, rules) -> set[tuple[str, str, str]]:
    from policy import enforce

    report = enforce.run(stack, configs, rules)
    return {(v.rule.id, v.resource, v.message) for v in report.mandatory}


def run(mutation: Mutation, base: Stack, configs, rules, baseline: set | None = None) -> Outcome:
    """The mandatory violations ``mutation`` adds to ``base`` (all ``rules``)."""
    baseline = mandatory(base, configs, rules) if baseline is None else baseline
    try:
        changed = mutation.change(base)
        new = mandatory(changed, configs, rules) - baseline
    except Exception as error:  # a mutation that no longer applies is a harness failure, reported as such
        return Outcome(mutation, frozenset(), (), f"{type(error).__name__}: {error}")
    return Outcome(mutation, frozenset(rule for rule, _, _ in new),
                   tuple(sorted(f"{rule} {resource}: {message}" for rule, resource, message in new)))


def score(stacks: Mapping[str, Stack], mutations: Iterable[Mutation]) -> list[Outcome]:
    from policy import enforce
    from policy.rules import RULES

    outcomes = []
    for name, stack in stacks.items():
        configs = enforce.load(name)
        baseline = mandatory(stack, configs, RULES)
        outcomes += [run(m, stack, configs, RULES, baseline) for m in mutations if m.stack == name]
    return outcomes


def main() -> int:
    from policy import recorded
    from tests.policy.mutations import CATCHES, SECURE

    stacks = {name: recorded.record(name) for name in ("dev", "prod")}
    catches = score(stacks, CATCHES)
    secure = score(stacks, SECURE)
    caught = sum(o.caught for o in catches)
    by_any = sum(o.caught_by_any for o in catches)
    alarms = [o for o in secure if not o.clean]
    print(f"catches: {caught}/{len(catches)} by the named rule ({caught / len(catches):.0%}), "
          f"{by_any}/{len(catches)} by any mandatory rule ({by_any / len(catches):.0%})")
    print(f"secure variants: {len(alarms)}/{len(secure)} refused by a mandatory rule")
    for outcome in catches:
        if not outcome.caught:
            caught_by = f" caught by {','.join(sorted(outcome.rules))}" if outcome.rules else ""
            print(f"  missed  {outcome.mutation.id} ({outcome.mutation.rule}) {outcome.error}{caught_by}")
    for outcome in alarms:
        print(f"  alarm   {outcome.mutation.id}: {'; '.join(outcome.messages) or outcome.error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
