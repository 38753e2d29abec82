"""What every pattern takes and gives, and what a pattern of your own builds on.

A pattern is hosted for other languages too (``multitier._plugin``): its ``args`` and its declared
outputs are what Pulumi's analyzer reads for the schema, so this module and the patterns' keep real
annotations (no ``from __future__ import annotations``).
"""

import abc
import dataclasses
import inspect
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, TypedDict

import pulumi

from multitier._logic.bundle import SITE_DIR
from multitier._logic.layer import ServiceLayers
from multitier._logic.rest_api import RestApi
from multitier._network.network import Network
from multitier._ops.watch import Watch
from multitier._patterns import tier_args
from multitier._presentation.static_site import RuntimeConfig, StaticSite
from multitier._settings.loader import DEFAULT_REGION
from multitier._settings.model import Settings
from multitier._settings.pattern_settings import PatternSettings

PACKAGE = "multitier"


@dataclass
class PatternArgs:
    """What a pattern is given: where it runs and its settings."""

    stack: str
    """The stack's name, added to names that must be unique in an account or across AWS."""
    region: str | None = None
    """The region of the AWS provider the pattern is created with (names, URLs, endpoints); unset: us-east-1."""
    settings: PatternSettings | None = None
    """The settings the pattern reads; each one unset takes its default, the secure choice."""

    @classmethod
    def of(cls, args: "PatternArgs | Mapping[str, Any]") -> "PatternArgs":
        """``args`` with nothing unset, given so or as Pulumi's component provider hands them over (a dict)."""
        given = dataclasses.asdict(args) | {"settings": args.settings} if isinstance(args, cls) else dict(args)
        settings = given.get("settings") or PatternSettings()
        return cls(stack=given["stack"], region=given.get("region") or DEFAULT_REGION,
                   settings=settings if isinstance(settings, PatternSettings) else PatternSettings(**settings))


class ApiEndpoint(TypedDict):
    """One REST API of a pattern, as a client or the verification suite (``python -m verify``) needs it."""

    name: str
    """The API's name in the program."""
    url: str
    """Its URL: the stage's, or its custom domain's base path."""
    id: str
    """Its REST API id."""
    stage: str
    """Its stage's name."""
    access_log_group: str
    """The log group of its stage's access logs."""
    paths: list[str]
    """The paths it serves (OpenAPI form: /shows/{id})."""


@dataclass
class StackShared:
    """What the patterns of one stack share (from Python; a pattern makes its own when not given one).

    ``layers``: the stack's dependency layers. ``network``: the stack's one VPC, for the patterns that keep
    data in private subnets (``needs_network``; VPCs are limited per region and their endpoints are paid
    per VPC). ``provider_settings``: the arguments of the stack's AWS provider, which every provider a
    pattern creates copies (CloudFront's us-east-1 one).
    """

    layers: ServiceLayers | None = None
    network: Network | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


# The component provider hosts the patterns under its own schema's tokens (multitier:index:<Name>),
# as Pulumi asks of a hosted component; a Python program keeps the patterns' own (``_plugin.py``).
_hosted = False


class Pattern(pulumi.ComponentResource, abc.ABC):
    """Base of the patterns: a component built from the tier components, configured by ``PatternArgs``.

    A subclass names its type token (``class Shop(Pattern, token="acme:patterns:Shop")``), declares its
    outputs as annotated attributes with a docstring each (``api_url: pulumi.Output[str]``) and creates its
    resources in ``compose``, which sets them. It reads ``self.settings`` (the validated settings),
    ``self.args``, ``self.layers``, ``self.network`` (with ``needs_network``) and ``self.provider_settings``,
    and sets ``self.watches``: what its components contribute to the stack's dashboards and alarms, in the
    order a request travels (``title`` heads its dashboard). The outputs are registered once it is done.
    """

    needs_network = False  # keeps data in private subnets: given the stack's network, or makes its own
    title = ""

    def __init_subclass__(cls, token: str = "", **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if token:
            cls._token = token
        # The docstring describes the component in the provider's schema: without the source's indentation.
        cls.__doc__ = inspect.cleandoc(cls.__doc__ or "")

    def __init__(self, name: str, args: PatternArgs, opts: pulumi.ResourceOptions | None = None,
                 shared: StackShared | None = None):
        args = PatternArgs.of(args)  # nothing unset from here on
        if not getattr(type(self), "_token", ""):
            raise TypeError(f"pattern {type(self).__name__} names no type token: class {type(self).__name__}"
                            f"(Pattern, token=\"<package>:<module>:{type(self).__name__}\")")
        token = f"{PACKAGE}:index:{type(self).__name__}" if _hosted else type(self)._token
        super().__init__(token, name, None, opts)
        self.args = args
        self.settings: Settings = args.settings.validated()
        shared = shared or StackShared()
        child = pulumi.ResourceOptions(parent=self)
        self.provider_settings = dict(shared.provider_settings)
        self.layers = shared.layers or ServiceLayers(f"{name}-deps", self.settings.lambda_.architecture,
                                                     f"{name}-{args.stack}-deps", opts=child)
        self.network = shared.network
        if self.network is None and self.needs_network:
            self.network = Network(f"{name}-network", tier_args.network(self.settings, args.region), opts=child)
        self.watches: list[Watch] = []
        self.compose(name)
        self.register_outputs(self.outputs)

    @abc.abstractmethod
    def compose(self, name: str) -> None:
        """Create the pattern's resources (children of ``self``, named after ``name``) and set its outputs."""

    @classmethod
    def output_names(cls) -> list[str]:
        """The outputs the pattern declares (annotated ``pulumi.Output`` attributes), in order."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            if klass.__module__.split(".")[0] in ("pulumi", "builtins"):
                continue
            names += [name for name, kind in inspect.get_annotations(klass, eval_str=True).items()
                      if not name.startswith("_") and typing.get_origin(kind) is pulumi.Output and name not in names]
        return names

    @property
    def outputs(self) -> dict[str, Any]:
        """Each declared output by name: what the stack exports of the pattern."""
        return {name: getattr(self, name) for name in self.output_names()}


def cognito_origin(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com"


def api_watches(api: RestApi, pattern: Pattern) -> list[Watch]:
    """A REST API's stage (its alarms at the stack's latency threshold), behind its WAF where it has one."""
    waf = [api.stage.web_acl.watch(pattern.args.region, "logic")] if api.stage.web_acl else []
    return [*waf, api.watch(pattern.settings.alarms.latency_p99_ms)]


def ticketing_site(name: str, pattern_key: str, pattern: Pattern, api_url: pulumi.Output[str], users,
                   subdomain: str) -> StaticSite:
    """The site/ app on S3 + CloudFront, with this pattern's runtime config and CSP origins."""
    args = pattern.args
    config = RuntimeConfig(stack=args.stack, pattern=pattern_key, api_url=api_url, region=args.region,
                           auth=users.site_auth())
    return StaticSite(name, tier_args.static_site(pattern.settings, SITE_DIR, config, api_url.apply(origin),
                                                  cognito_origin(args.region), subdomain, pattern.provider_settings),
                      opts=pulumi.ResourceOptions(parent=pattern))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (a CSP source)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def api_outputs(*apis: RestApi) -> pulumi.Output[list[ApiEndpoint]]:
    """Each API as ``ApiEndpoint`` describes it."""
    def output(api: RestApi) -> pulumi.Output[ApiEndpoint]:
        paths = sorted({route.path for route in api.routes})
        return pulumi.Output.all(api.url, api.id, api.stage_name, api.stage.access_logs.name).apply(lambda v: {
            "name": api.pulumi_resource_name, "url": v[0], "id": v[1], "stage": v[2], "access_log_group": v[3],
            "paths": paths})
    return pulumi.Output.all(*map(output, apis)).apply(list)
