"""What every pattern takes and gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pulumi

from components.logic.bundle import PROJECT_ROOT
from components.patterns import tier_args
from components.presentation.static_site import RuntimeConfig, StaticSite
from components.settings.model import Settings


@dataclass
class PatternArgs:
    """``stack`` and ``region`` only make names unique and build URLs; the
    pattern reads nothing from the environment or Pulumi config. ``layers`` gives a
    service's dependency layers (``ServiceLayers``)."""

    settings: Settings
    layers: Callable[[str], Sequence[pulumi.Input[str]]]
    stack: str
    region: str


def cognito_origin(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com"


@dataclass
class Monitored:
    """What a pattern asks the stack's alarms to watch."""

    functions: Sequence = ()
    apis: Sequence = ()
    tables: Sequence = ()


def ticketing_site(name: str, pattern: str, args: PatternArgs, api_url: pulumi.Output[str], users, subdomain: str,
                   parent: pulumi.Resource):
    """The site/ app on S3 + CloudFront, with this pattern's runtime config and CSP origins."""
    config = RuntimeConfig(stack=args.stack, pattern=pattern, api_url=api_url, region=args.region,
                           auth=users.site_auth())
    return StaticSite(name, tier_args.static_site(args.settings, PROJECT_ROOT / "site", config, api_url.apply(origin),
                                                  cognito_origin(args.region), subdomain),
                      opts=pulumi.ResourceOptions(parent=parent))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (a CSP source)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
