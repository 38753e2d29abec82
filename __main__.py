"""multitier: the stack's settings, read once, compose the enabled patterns.

The same file serves when Pulumi runs this folder as a plugin (``pulumi package add``, which finds
PulumiPlugin.yaml here): it then hosts the patterns for programs in other languages instead.
"""

import pulumi
import pulumi_aws as aws

from multitier import (PATTERNS, Alarms, ApiGatewayAccount, ApiGatewayAccountArgs, Dashboards, DashboardsArgs, Network,
                       PatternArgs, PatternSettings, ServiceLayers, StackShared, after_account, load_settings,
                       plugin_requested, provider_settings, serve_components, tag_with, tier_args, with_default_tags)

if plugin_requested():  # run as a plugin (pulumi package add): host the patterns, deploy nothing
    raise SystemExit(serve_components())

settings = load_settings()  # a bad setting stops here, before any resource exists

project, stack = pulumi.get_project(), pulumi.get_stack()
# Every aws:* stack setting (profile, assumeRoles, allowedAccountIds, ...) reaches every
# provider the program creates: explicit providers read none of them by themselves.
aws_settings = with_default_tags(provider_settings(), project, stack)
region = aws_settings["region"]
pulumi.export("region", region)
provider = aws.Provider("aws", **aws_settings)
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
if any(PATTERNS[key].needs_network for key in settings.patterns):
    network = Network("network", tier_args.network(settings, region), opts=shared)

pattern_args = PatternArgs(stack=stack, region=region, settings=PatternSettings.of(settings))
patterns = {}
for key in settings.patterns:
    patterns[key] = PATTERNS[key](
        key.replace("_", "-"), pattern_args,
        opts=pulumi.ResourceOptions(providers=[provider],
                                    transformations=[tag_with(key, project, stack), *wait_for_account]),
        shared=StackShared(layers=layers, network=network, provider_settings=aws_settings))
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
        patterns={key: (PATTERNS[key].title, p.watches) for key, p in patterns.items()},
        alarms=alarms.refs() if alarms else {}), opts=shared)
    pulumi.export("dashboard_urls", dashboards.urls)
