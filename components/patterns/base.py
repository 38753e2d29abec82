"""What every pattern takes and gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.config import Settings


@dataclass
class PatternArgs:
    """``stack`` and ``region`` only make names unique and build URLs; the
    pattern reads nothing from the environment or Pulumi config."""

    settings: Settings
    layers: Sequence[pulumi.Input[str]]
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
    from components.logic.bundle import PROJECT_ROOT
    from components.presentation.static_site import RuntimeConfig, StaticSite, StaticSiteArgs

    s = args.settings
    return StaticSite(name, StaticSiteArgs(
        data=s.data, site=s.site, content_dir=PROJECT_ROOT / "site",
        config=RuntimeConfig(stack=args.stack, pattern=pattern, api_url=api_url, region=args.region,
                             auth=users.site_auth()),
        api_origin=api_url.apply(origin), auth_origin=cognito_origin(args.region),
        domain_name=f"{subdomain}.{s.domain.name}" if s.domain.name else "", hosted_zone_id=s.domain.hosted_zone_id,
        waf_rate_limit=s.api.waf_rate_limit), opts=pulumi.ResourceOptions(parent=parent))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (a CSP source)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
