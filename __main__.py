"""multitier: the stack's settings, read once, compose the enabled patterns."""

import pulumi

from components.settings import loader
from components.tagging import stack_provider, tag_with

settings = loader.load()  # a bad setting stops here, before any resource exists

from components.logic.api_account import ApiGatewayAccount, ApiGatewayAccountArgs, after_account  # noqa: E402
from components.logic.layer import ServiceLayers  # noqa: E402
from components.ops.alarms import Alarms  # noqa: E402
from components.patterns import PATTERN_CLASSES, tier_args  # noqa: E402
from components.patterns.base import PatternArgs  # noqa: E402

project, stack = pulumi.get_project(), pulumi.get_stack()
region = loader.region()
provider = stack_provider(region, project, stack)
shared = pulumi.ResourceOptions(providers=[provider], transformations=[tag_with("shared", project, stack)])

# Stages log to CloudWatch only once the account-level role is set: when this stack
# manages the role, every pattern's stages and method settings wait for it.
wait_for_account = []
if settings.api.manage_account_role:
    account = ApiGatewayAccount("apigateway-account", ApiGatewayAccountArgs(), opts=shared)
    wait_for_account = [after_account(account)]
layers = ServiceLayers("deps", settings.lambda_.architecture, opts=shared)

patterns = {}
for key in settings.patterns:
    patterns[key] = PATTERN_CLASSES[key](
        key.replace("_", "-"), PatternArgs(settings=settings, layers=layers, stack=stack, region=region),
        opts=pulumi.ResourceOptions(providers=[provider],
                                    transformations=[tag_with(key, project, stack), *wait_for_account]))
    for name, value in patterns[key].outputs.items():
        pulumi.export(f"{key}_{name}", value)

if settings.alarms.enabled:
    watched = [p.monitored for p in patterns.values()]
    alarms = Alarms("alarms", tier_args.alarms(settings, functions=[f for m in watched for f in m.functions],
                                               apis=[a for m in watched for a in m.apis],
                                               tables=[t for m in watched for t in m.tables]), opts=shared)
    pulumi.export("alarm_topic_arn", alarms.topic.arn)
