"""The offline engine's ``Mocks``: realistic outputs for every known token, a loud failure for any other."""

from __future__ import annotations

from pulumi.runtime import mocks as pulumi_mocks

from local.engine.outputs import CALLS, RESOURCES, Ctx, Factory, suffix
from local.model import DEFAULT_REGION


class UnknownTokenError(RuntimeError):
    """The program used a resource type or call the engine has no outputs for."""


class Mocks(pulumi_mocks.Mocks):
    """Realistic outputs for every token in RESOURCES/CALLS; anything else fails."""

    def __init__(self, region: str = DEFAULT_REGION, resources: dict[str, Factory] | None = None):
        self.region = region
        self.resources = resources or RESOURCES
        self.unknown: list[str] = []

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        factory = self.resources.get(args.typ)
        if factory is None:
            if not args.custom:  # components have no outputs of their own
                return f"{args.name}-component", {}
            self.unknown.append(args.typ)
            raise UnknownTokenError(f"the offline engine has no outputs for resource type {args.typ} "
                                    f"(resource {args.name!r}); add it to local/engine/outputs.py RESOURCES")
        ctx = Ctx(args.typ, args.name, dict(args.inputs), self.region)
        outputs = {**args.inputs, **factory(ctx)}
        resource_id = outputs.pop("id", None) or outputs.get("name") or f"{args.name}-{suffix(args.name)}"
        return resource_id, outputs

    def call(self, args: pulumi_mocks.MockCallArgs):
        factory = CALLS.get(args.token)
        if factory is None:
            self.unknown.append(args.token)
            raise UnknownTokenError(f"the offline engine has no result for call {args.token}; "
                                    f"add it to local/engine/outputs.py CALLS")
        return factory(dict(args.args), self.region)
