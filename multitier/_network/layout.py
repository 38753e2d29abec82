"""NetworkLayout: refuses, in the preview, a change of the network that AWS cannot make in place.

The VPC's CIDR block, its zones and its NAT strategy decide every subnet's address block
(awsx cuts one block per zone, sized by the number of zones). A change of any of them
re-creates the VPC or every subnet, and what lives in them cannot follow: an Aurora cluster
and an ElastiCache cache do not move to other subnets in place, EFS keeps the mount targets
of a file system in one VPC, and a subnet whose block overlaps the old one cannot be created
before the old one is deleted. ``pulumi up`` would start such a change and fail halfway.

This resource records the layout it was created with; its provider's ``check``, which every
preview runs before anything changes, refuses another layout and says what it would take.
The VPC waits for it. It calls no AWS API and costs nothing.
"""

from __future__ import annotations

from typing import Any, Sequence

import pulumi
import pulumi.dynamic

LAYOUT = ("cidr", "zones", "nat")
WHAT_IT_TAKES = (
    "the VPC or its subnets would be re-created, and the data tier in them cannot move: the Aurora cluster, the "
    "cache and the EFS file system stay in the old subnets (or lose their data with them). To change it, deploy a "
    "new stack with the new layout and move the data there (restore the cluster from a snapshot, copy the files), "
    "or `pulumi destroy` this stack first when its data can go")


def _describe(value: Any) -> str:
    return ", ".join(value) if isinstance(value, (list, tuple)) else str(value)


class _LayoutProvider(pulumi.dynamic.ResourceProvider):
    """Keeps the layout it was created with; refuses any other in ``check``."""

    REPLACES: tuple[str, ...] = ()  # nothing replaces it: a new layout is refused instead

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        failures = [pulumi.dynamic.CheckFailure(key, f"the network's {key} cannot change from "
                                                     f"{_describe(olds[key])} to {_describe(news.get(key))} "
                                                     f"in place: {WHAT_IT_TAKES}")
                    for key in LAYOUT if olds.get(key) is not None and olds.get(key) != news.get(key)]
        return pulumi.dynamic.CheckResult(news, failures)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(id_="network-layout", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=False)


# The provider is pickled by reference into the resource's state, as the Amplify deployment's is: it is
# named where no move of the package's private modules can take it (multitier/__init__.py).
_LayoutProvider.__module__, _LayoutProvider.__qualname__ = "multitier", "_NetworkLayoutProvider"


class NetworkLayout(pulumi.dynamic.Resource, module="network", name="Layout"):
    """The network's CIDR block, zones and NAT strategy, as they were first deployed."""

    def __init__(self, name: str, cidr: str, zones: pulumi.Input[Sequence[str]], nat: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(_LayoutProvider(), name, {"cidr": cidr, "zones": zones, "nat": nat}, opts)
