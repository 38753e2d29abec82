"""What the offline engine recorded, as the resources and stack the rules read."""

from __future__ import annotations

import re
from typing import Any, Mapping

from pulumi.output import Unknown
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from local import engine
from multitier._settings.loader import region_of
from policy.core import Resource, Stack, proxied


def plain(value: Any) -> Any:
    """Engine values as CrossGuard would see them: unknowns as its sentinel, assets and archives as the
    pulumi objects it hands a policy (so rules can measure them)."""
    if isinstance(value, Unknown):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _checked(registration: engine.Registration) -> dict[str, Any]:
    """The inputs as a provider's Check returns them: with the name Pulumi generates when none is given."""
    inputs = dict(registration.inputs)
    name = registration.outputs.get("name")
    if "name" not in inputs and "namePrefix" not in inputs and isinstance(name, str) \
            and re.fullmatch(rf"{re.escape(registration.name)}-[0-9a-f]{{7}}", name):
        inputs["name"] = name
    return inputs


def to_stack(recording: engine.Recording, name: str, config: Mapping[str, Any]) -> Stack:
    """A Stack of every registration; ``config`` is the stack's config map."""
    default_region = region_of(config)  # the default provider's, as the program reads it
    regions = {r.urn: r.inputs.get("region") or default_region
               for r in recording.registrations if r.type == "pulumi:providers:aws"}

    def resource(r: engine.Registration) -> Resource:
        return Resource(type=r.type, name=r.name, props=proxied(plain(_checked(r))), urn=r.urn, parent=r.parent,
                        dependencies=tuple(r.dependencies),
                        provider_region=regions.get(r.provider.rsplit("::", 1)[0], default_region) if r.custom else None,
                        delete_before_replace=r.delete_before_replace, ignore_changes=tuple(r.ignore_changes),
                        protect=r.protect, retain_on_delete=r.retain_on_delete)

    return Stack([resource(r) for r in recording.registrations], name=name, config=config)


def record(stack: str) -> Stack:
    """Run the program for ``stack`` offline and return what it registered."""
    return to_stack(engine.run_stack(stack), stack, engine.stack_config(stack))
