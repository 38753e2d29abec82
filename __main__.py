"""multitier: the stack's settings, read once, compose the enabled patterns."""

import pulumi
import pulumi_aws as aws

from multitier.settings import loader
from multitier.tagging import tag_with, with_default_tags

settings = loader.load()  # a bad setting stops here, before any resource exists

from multitier.logic.api_account import ApiGatewayAccount, ApiGatewayAccountArgs, after_account  # noqa: E402
from multitier.logic.layer import ServiceLayers  # noqa: E402
from multitier.network.network import Network  # noqa: E402
from multitier.ops.alarms import Alarms  # noqa: E402
from multitier.ops.dashboards import Dashboards, DashboardsArgs  # noqa: E402
from multitier.patterns import PATTERN_CLASSES, tier_args  # noqa: E402
from multitier.patterns.base import PatternArgs  # noqa: E402

project, stack = pulumi.get_project(), pulumi.get_stack()
# Every aws:* stack setting (profile, assumeRoles, allowedAccountIds, ...) reaches every
# provider the program creates: explicit providers read none of them by themselves.
provider_settings = with_default_tags(loader.provider_settings(), project, stack)
region = provider_settings["region"]
pulumi.export("region", region)
provider = aws.Provider("aws", **provider_settings)
shared = pulumi.ResourceOptions(providers=[provider], transformations=[tag_with("shared", project, stack)])

# Stages log to CloudWatch only once the region's account-level role is set: unless
# someone else set it (apiAccountRole: external), this stack sets it, and every
# pattern's stages and method settings wait for it.
wait_for_account = []
if settings.api.account_role == "manage":
    account = ApiGatewayAccount("apigateway-account", ApiGatewayAccountArgs(), opts=shared)
    wait_for_account = [after_account(account)]
    pulumi.export("apigateway_account_role_arn", account.role_arn)
layers = ServiceLayers("deps", settings.lambda_.architecture, f"{project}-{stack}-deps", opts=shared)
# One VPC for every pattern with private data: VPCs are limited (5 per region by default)
# and interface endpoints are paid per VPC.
network = None
if any(PATTERN_CLASSES[key].needs_network for key in settings.patterns):
    network = Network("network", tier_args.network(settings, region), opts=shared)

patterns = {}
for key in settings.patterns:
    patterns[key] = PATTERN_CLASSES[key](
        key.replace("_", "-"), PatternArgs(settings=settings, layers=layers, stack=stack, region=region,
                                           network=network, provider_settings=provider_settings),
        opts=pulumi.ResourceOptions(providers=[provider],
                                    transformations=[tag_with(key, project, stack), *wait_for_account]))
    for name, value in patterns[key].outputs.items():
        pulumi.export(f"{key}_{name}", value)

# Each component contributes what to watch (``component.watch()``); the alarms and the dashboards
# are both made from those contributions.
alarms = None
if settings.alarms.enabled:
    alarms = Alarms("alarms", tier_args.alarms(settings, [w for p in patterns.values() for w in p.watches]),
                    opts=shared)
    pulumi.export("alarm_topic_arn", alarms.topic.arn)
    pulumi.export("alarm_names", pulumi.Output.all(*(alarm.name for alarm in alarms.alarms)).apply(sorted))
if settings.dashboards.enabled:
    dashboards = Dashboards("dashboards", DashboardsArgs(
        prefix=f"{project}-{stack}", region=region,
        patterns={key: (PATTERN_CLASSES[key].title, p.watches) for key, p in patterns.items()},
        alarms=alarms.refs() if alarms else {}), opts=shared)
    pulumi.export("dashboard_urls", dashboards.urls)
