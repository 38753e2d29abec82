"""What every pattern takes and gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pulumi

from multitier.logic.bundle import PROJECT_ROOT
from multitier.logic.rest_api import RestApi
from multitier.network.network import Network
from multitier.ops.watch import Watch
from multitier.patterns import tier_args
from multitier.presentation.static_site import RuntimeConfig, StaticSite
from multitier.settings.model import Settings


@dataclass
class PatternArgs:
    """``stack`` and ``region`` only make names unique and build URLs; the
    pattern reads nothing from the environment or Pulumi config. ``layers`` gives a
    service's dependency layers (``ServiceLayers``).

    ``network``: the stack's one VPC, given to the patterns that keep data in private
    subnets (``needs_network``). ``provider_settings``: the arguments of the stack's AWS
    provider, which every provider a pattern creates copies (CloudFront's us-east-1 one).
    """

    settings: Settings
    layers: Callable[[str], Sequence[pulumi.Input[str]]]
    stack: str
    region: str
    network: Network | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)

    def private_network(self, pattern: str) -> Network:
        if self.network is None:
            raise ValueError(f"pattern {pattern} keeps its data in private subnets: PatternArgs.network (the "
                             f"stack's VPC) is required")
        return self.network


def cognito_origin(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com"


def api_watches(api: RestApi, args: PatternArgs) -> list[Watch]:
    """A REST API's stage (its alarms at the stack's latency threshold), behind its WAF where it has one."""
    waf = [api.stage.web_acl.watch(args.region, "logic")] if api.stage.web_acl else []
    return [*waf, api.watch(args.settings.alarms.latency_p99_ms)]


def ticketing_site(name: str, pattern: str, args: PatternArgs, api_url: pulumi.Output[str], users, subdomain: str,
                   parent: pulumi.Resource):
    """The site/ app on S3 + CloudFront, with this pattern's runtime config and CSP origins."""
    config = RuntimeConfig(stack=args.stack, pattern=pattern, api_url=api_url, region=args.region,
                           auth=users.site_auth())
    return StaticSite(name, tier_args.static_site(args.settings, PROJECT_ROOT / "site", config, api_url.apply(origin),
                                                  cognito_origin(args.region), subdomain, args.provider_settings),
                      opts=pulumi.ResourceOptions(parent=parent))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (a CSP source)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def api_outputs(*apis: RestApi) -> pulumi.Output[list[dict]]:
    """Each API as a client or the verification suite (``python -m verify``) needs it: its name, URL, REST
    API id, stage, access-log group and paths (OpenAPI form)."""
    def output(api: RestApi) -> pulumi.Output[dict]:
        paths = sorted({route.path for route in api.routes})
        return pulumi.Output.all(api.url, api.id, api.stage_name, api.stage.access_logs.name).apply(lambda v: {
            "name": api.pulumi_resource_name, "url": v[0], "id": v[1], "stage": v[2], "access_log_group": v[3],
            "paths": paths})
    return pulumi.Output.all(*map(output, apis)).apply(list)
