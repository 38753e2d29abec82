"""multitier: the serverless multi-tier architectures of AWS's whitepaper as Pulumi components.

Everything a program uses is imported from here; every other module is private (its name starts
with an underscore) and may change in any release. The version follows semantic versioning
(CHANGELOG.md).

- The whitepaper's patterns, each a component deploying the ticketing app it ships with:
  ``MobileBackend``, ``SinglePageApp``, ``WebApp``, ``Microservices`` (by setting name in
  ``PATTERNS``), configured by ``PatternArgs`` and its ``PatternSettings`` (with an enum for each
  setting that is a choice: ``SiteHosting``, ``LambdaArchitecture``, ...).
- The tier components, each with its Args (the defaults are the secure choice): logic
  (``Function``, ``RestApi``, ...), data (``Table``, ``Bucket``, ``Database``, ``Cache``,
  ``FileSystem``), identity (``UserPool``), network (``Network``), presentation
  (``StaticSite``, ``AmplifyHosting``), security (``WebAcl``), operations (``Alarms``, ``Dashboards``),
  releases (``FunctionRelease`` with a ``TrafficShift``).
- What a data or identity component grants a function: ``Link`` (IAM ``Statement``s,
  environment, ``NetworkAccess``, ``FileSystemMount``); what a component contributes to the stack's
  dashboards and alarms: ``Watch`` (``Widget``s of ``Metric``s, ``Alarm``s).
- What a pattern of your own builds on: ``Pattern``, ``StackShared``,
  ``Settings`` (the validated settings), ``tier_args`` (settings into tier Args), the stack's
  shared pieces (``ServiceLayers``, ``ApiGatewayAccount``) and the stack's config
  (``load_settings``, ``provider_settings``, ``tag_with``, ``with_default_tags``).
- Hosting the patterns for programs in other languages: ``plugin_requested``, ``serve_components``.
"""

from multitier._data.bucket import Bucket, BucketArgs, BucketLifecycle
from multitier._data.cache import Cache, CacheArgs
from multitier._data.database import Database, DatabaseArgs
from multitier._data.file_system import FileSystem, FileSystemArgs
from multitier._data.table import GlobalIndex, Key, Table, TableArgs
from multitier._iam import Statement
from multitier._identity.user_pool import Federation, UserPool, UserPoolArgs
from multitier._logic.api_account import ApiGatewayAccount, ApiGatewayAccountArgs, after_account
from multitier._logic.api_domain import ApiDomain, ApiDomainArgs
from multitier._logic.api_stage import StageOptions
from multitier._logic.function import Function, FunctionArgs, FunctionRuntime
from multitier._logic.integrations import LambdaMapped, LambdaProxy, MockResponse, S3Object
from multitier._logic.layer import DependencyLayer, DependencyLayerArgs, ServiceLayers
from multitier._logic.link import FileSystemMount, Link, NetworkAccess
from multitier._logic.rest_api import RestApi, RestApiArgs
from multitier._logic.routes import Auth, CognitoAuth, IamAuth, LambdaAuth, OpenApiOperation, Public, Route, Throttle
from multitier._network.network import Network, NetworkArgs
# Where the stacks' state finds the network layout's provider (pickled by reference).
from multitier._network.layout import _LayoutProvider as _NetworkLayoutProvider  # noqa: F401
from multitier._ops.alarms import Alarms, AlarmsArgs
from multitier._ops.dashboards import Dashboards, DashboardsArgs
from multitier._ops.watch import Alarm, Metric, Watch, Widget
from multitier._patterns import PATTERNS, tier_args
from multitier._patterns.base import ApiEndpoint, Pattern, PatternArgs, StackShared
from multitier._patterns.microservices import Microservices
from multitier._patterns.mobile_backend import MobileBackend
from multitier._patterns.single_page_app import SinglePageApp
from multitier._patterns.web_app import WebApp
from multitier._plugin import plugin_requested, serve_components
from multitier._presentation.amplify_hosting import AmplifyHosting, AmplifyHostingArgs
# Where the stacks' state finds the Amplify deployment's provider (pickled by reference).
from multitier._presentation.amplify_hosting import _DeploymentProvider as _AmplifyDeploymentProvider  # noqa: F401
from multitier._presentation.static_site import RuntimeConfig, StaticSite, StaticSiteArgs
from multitier._release.deploy import _LambdaDeploymentProvider, _StageCanaryProvider  # noqa: F401 (as above)
from multitier._release.function_release import FunctionRelease, FunctionReleaseArgs
from multitier._release.shift import TrafficShift
from multitier._security.waf import WebAcl, WebAclArgs
from multitier._settings.loader import DEFAULT_REGION, SettingsError
from multitier._settings.loader import load as load_settings
from multitier._settings.loader import provider_settings
from multitier._settings.model import Settings
from multitier._settings import pattern_settings as _pattern_settings
from multitier._settings.pattern_settings import *  # noqa: F403 - PatternSettings and the enums of its choices
from multitier._tagging import tag_with, with_default_tags
from multitier._version import __version__

__all__ = [
    # patterns
    "PATTERNS", "Microservices", "MobileBackend", "SinglePageApp", "WebApp", "PatternArgs", "ApiEndpoint",
    # writing a pattern of your own
    "Pattern", "Settings", "SettingsError", "StackShared", "tier_args",
    # logic tier
    "ApiDomain", "ApiDomainArgs", "ApiGatewayAccount", "ApiGatewayAccountArgs", "Auth", "CognitoAuth",
    "DependencyLayer", "DependencyLayerArgs", "Function", "FunctionArgs", "FunctionRuntime", "IamAuth", "LambdaAuth",
    "LambdaMapped", "LambdaProxy", "MockResponse", "OpenApiOperation", "Public", "RestApi", "RestApiArgs", "Route",
    "S3Object", "ServiceLayers", "StageOptions", "Throttle", "after_account",
    # releases (CodeDeploy for functions; a stage canary's release is StageOptions.canary_*)
    "FunctionRelease", "FunctionReleaseArgs", "TrafficShift",
    # data tier
    "Bucket", "BucketArgs", "BucketLifecycle", "Cache", "CacheArgs", "Database", "DatabaseArgs", "FileSystem",
    "FileSystemArgs", "GlobalIndex", "Key", "Table", "TableArgs",
    # identity, network, presentation, security, operations
    "Federation", "UserPool", "UserPoolArgs", "Network", "NetworkArgs", "AmplifyHosting", "AmplifyHostingArgs",
    "RuntimeConfig", "StaticSite", "StaticSiteArgs", "WebAcl", "WebAclArgs",
    # what a component contributes to the stack's dashboards and alarms
    "Alarm", "Alarms", "AlarmsArgs", "Dashboards", "DashboardsArgs", "Metric", "Watch", "Widget",
    # what a component grants a function
    "FileSystemMount", "Link", "NetworkAccess", "Statement",
    # the stack's config
    "DEFAULT_REGION", "load_settings", "provider_settings", "tag_with", "with_default_tags",
    # hosting the patterns for other languages (Pulumi's component provider)
    "plugin_requested", "serve_components", "__version__",
]
__all__ += _pattern_settings.__all__
