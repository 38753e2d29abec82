"""The offline engine's ``Mocks``: realistic outputs for every known token, a loud failure for any other.

Each resource and call is fabricated in the region of the provider it goes through, as
AWS would create it (CloudFront's certificate through a us-east-1 provider gets a
us-east-1 ARN whatever the stack's region); ``region`` is the default provider's.
"""

from __future__ import annotations

from pulumi.runtime import mocks as pulumi_mocks

from multitier._settings.loader import DEFAULT_REGION
from local.engine.calls import CALLS
from local.engine.outputs import Ctx, Factory, suffix
from local.engine.types import RESOURCES

PROVIDER = "pulumi:providers:aws"


class UnknownTokenError(RuntimeError):
    """The program used a resource type or call the engine has no outputs for."""


class Mocks(pulumi_mocks.Mocks):
    """Realistic outputs for every token in RESOURCES/CALLS; anything else fails."""

    def __init__(self, region: str = DEFAULT_REGION, resources: dict[str, Factory] | None = None):
        self.region = region
        self.resources = resources or RESOURCES
        self.unknown: list[str] = []
        self._provider_regions: dict[str, str] = {}  # provider id → its region

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        factory = self.resources.get(args.typ)
        if factory is None:
            if not args.custom:  # components have no outputs of their own
                return f"{args.name}-component", {}
            self.unknown.append(args.typ)
            raise UnknownTokenError(f"the offline engine has no outputs for resource type {args.typ} "
                                    f"(resource {args.name!r}); add its record to local/engine/types.py")
        ctx = Ctx(args.typ, args.name, dict(args.inputs), self.region_of(args.provider))
        outputs = {**args.inputs, **factory(ctx)}
        resource_id = outputs.pop("id", None) or outputs.get("name") or f"{args.name}-{suffix(args.name)}"
        if args.typ == PROVIDER:
            self._provider_regions[resource_id] = args.inputs.get("region") or self.region
        return resource_id, outputs

    def call(self, args: pulumi_mocks.MockCallArgs):
        factory = CALLS.get(args.token)
        if factory is None:
            self.unknown.append(args.token)
            raise UnknownTokenError(f"the offline engine has no result for call {args.token}; "
                                    f"add it to local/engine/outputs.py CALLS")
        return factory(dict(args.args), self.region_of(args.provider))

    def region_of(self, provider: str | None) -> str:
        """The region of a provider reference (``urn::id``); the default provider's without one."""
        return self._provider_regions.get((provider or "").rsplit("::", 1)[-1], self.region)
