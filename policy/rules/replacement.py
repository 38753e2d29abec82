"""Replacement safety as a class: rules over what the provider says replaces a resource.

Pulumi replaces a resource when an input the provider marks replace-on-change changes
(``multitier/_replacement``: terraform-provider-aws's ``ForceNew``), and by default creates the
replacement before it deletes the old one. Three things then go wrong, whatever the type:

- a fixed physical name is taken twice (MT-REPLACE-1);
- a parent that holds one of a kind gets a second one, or loses the new one when the old one
  is deleted (MT-REPLACE-2);
- what a stateful resource holds is gone, unless Pulumi refuses first (MT-REPLACE-3).

What a type's name, its parent and its state are is the type table's (``local/engine/types.py``),
each with its source.
"""

from __future__ import annotations

from typing import Any

from local.engine.types import TYPES
from multitier._replacement import replacement
from policy.core import Finding, Resource, Stack, resource_rule, stack_rule

PREFIX = "MT-REPLACE"
NAMED = tuple(token for token, record in TYPES.items() if record.name)
ONE_PER_PARENT = tuple(token for token, record in TYPES.items() if record.one_per)
STATEFUL = tuple(token for token, record in TYPES.items() if record.stateful)
# The stack setting that makes a stack hold on to its data (dev turns it off).
PROTECTED_STACK = "multitier:dataDeletionProtection"


def replacing_inputs(resource: Resource) -> list[tuple[str, Any]]:
    """The inputs set on ``resource`` whose change replaces it, with their values."""
    forcing = replacement(resource.type)
    return [(key, resource.get(key)) for key in sorted(resource.props)
            if forcing.forcing(key) and resource.get(key) not in (None, "", [], {})]


@resource_rule("MT-REPLACE-1", NAMED, kind="deploy", severity="high",
               description="A resource with a fixed physical name is replaced delete-first, or its name changes "
                           "with whatever replaces it",
               remediation="Let Pulumi autoname it, set delete_before_replace=True, or put the replacing input's "
                           "value in the name; which inputs replace it is multitier/_replacement/force_new.json.")
def fixed_name_replaced_first(resource: Resource):
    record = TYPES[resource.type]
    name, generated = resource.physical_name(record.name.key, record.name.prefix or f"{record.name.key}Prefix")
    if generated or resource.delete_before_replace:
        return
    collision = record.name_collision(name, dict(replacing_inputs(resource)))
    if collision:
        yield f"{collision}: the replacement is created before the old one is deleted and the name is taken"


@resource_rule("MT-REPLACE-2", ONE_PER_PARENT, kind="deploy", severity="high",
               description="A resource its parent holds one of is replaced delete-first, or cannot be replaced "
                           "under the same parent",
               remediation="Set delete_before_replace=True (created first, the replacement is refused, or takes "
                           "over and is then deleted with the old one).")
def one_per_parent_replaced_first(resource: Resource):
    if resource.delete_before_replace:
        return
    collision = TYPES[resource.type].parent_collision(dict(replacing_inputs(resource)))
    if collision:
        yield f"{collision}, created before the old one is deleted"


def protected(stack: Stack) -> bool:
    """Whether the stack holds on to its data (the setting's default is true)."""
    return str(stack.config.get(PROTECTED_STACK, "true")).lower() != "false"


@stack_rule("MT-REPLACE-3", kind="deploy", severity="critical",
            description="In a stack that keeps its data, what holds data is protected or retained, so its "
                        "replacement stops at the preview instead of losing it",
            remediation="Create it with protect=True (the components do where dataDeletionProtection is on) or "
                        "retain_on_delete=True; `python -m local plan` shows a replacement before it happens.")
def stateful_protected(stack: Stack):
    if not protected(stack):
        return
    for resource in stack.of_type(*STATEFUL):
        if resource.protect or resource.retain_on_delete is not False:  # None: not known (CrossGuard)
            continue
        yield Finding(resource, f"neither protected nor retained: a replacement or delete loses "
                                f"{TYPES[resource.type].stateful}")
