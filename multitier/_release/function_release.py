"""FunctionRelease: a function's new versions reach its ``live`` alias through CodeDeploy.

Per function: a CodeDeploy application (Lambda) named after the function, a deployment group
(``live``) with the shift configuration, the alarms that judge a new version (its own errors
and p99 duration, ``ExecutedVersion`` = the version being released, and whatever else is given:
its API's 5XX rate) and automatic rollback on an alarm and on a failure; CodeDeploy's service
role, allowed exactly what a Lambda deployment does (the alias, the alarms, the hook); and the
``LambdaDeployment`` that ``pulumi up`` waits for (``deploy.py``).

The function's alias is created at its first version by Pulumi and moved by CodeDeploy from then
on (``FunctionArgs.codedeploy``: ``ignore_changes`` on its version and weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._iam import Statement, assume_role_policy, policy_document
from multitier._logic.function import ALIAS, Function
from multitier._ops import watch_logic
from multitier._ops.alarms import made_alarm
from multitier._ops.watch import Alarm, Watch, Widget
from multitier._provider_session import session_settings
from multitier._release.deploy import HOOK_PHASES, LambdaDeployment
from multitier._release.shift import TrafficShift

# What a deployment may take beyond its shift: the hooks (each up to an hour in CodeDeploy, ours
# a few seconds) and CodeDeploy's own pace; past it the release is stopped and rolled back.
MARGIN_MINUTES = 20
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")


@dataclass
class FunctionReleaseArgs:
    """``function`` (created with ``FunctionArgs.codedeploy``) released by ``shift``; ``judges``: made alarms
    (``Alarm.made``) besides the version's own that stop it (its API's 5XX rate); ``hook``: the function
    CodeDeploy invokes before and after traffic moves (``HOOK_PHASES``); ``provider_settings``: the stack's
    AWS provider arguments, which the deployment calls AWS with."""

    function: Function
    shift: TrafficShift
    judges: Sequence[Alarm] = ()
    hook: Function | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


def deployment_group_arn(function_arn: str) -> str:
    """The ARN of a function's deployment group (application = the function's name, group = the alias)."""
    _, partition, _, region, account, _, name = function_arn.split(":")[:7]
    return f"arn:{partition}:codedeploy:{region}:{account}:deploymentgroup:{name}/{ALIAS}"


def version_alarms(name: str, function: Function) -> tuple[Alarm, Alarm]:
    """Errors in any minute and p99 duration above 80 % of the timeout in 3 of 5 minutes, of the version
    being released only (the ``live`` alias's ``ExecutedVersion``): the function's own alarms, narrowed."""
    def metric(metric_name: str, stat: str = "Sum"):
        return watch_logic.lambda_metric(function.name, metric_name, stat, alias=ALIAS,
                                         version=function.function.version)

    timeout = function.timeout_seconds
    limit_ms = timeout * 1000 * watch_logic.DURATION_SHARE
    return (Alarm("errors", metric("Errors"), 0, f"Errors of the new version of {name} in any of the last "
                  f"5 minutes", evaluation_periods=watch_logic.WINDOW, datapoints_to_alarm=1),
            Alarm("duration", metric("Duration", "p99"), limit_ms,
                  f"p99 duration of the new version of {name} above {watch_logic.DURATION_SHARE:.0%} of its "
                  f"{timeout} s timeout in 3 of 5 minutes", evaluation_periods=watch_logic.WINDOW,
                  datapoints_to_alarm=3))


class FunctionRelease(pulumi.ComponentResource):
    """CodeDeploy application, deployment group, service role, version alarms and the waited-for deployment."""

    def __init__(self, name: str, args: FunctionReleaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:FunctionRelease", name, None, opts)
        fn = self.function = args.function
        if not fn.codedeploy:
            raise ValueError(f"release {name}: function {fn.pulumi_resource_name} was not created for CodeDeploy "
                             f"(FunctionArgs.codedeploy); Pulumi would move its alias itself")
        child = pulumi.ResourceOptions(parent=self)
        self.shift = args.shift
        self.alarms = [made_alarm(name, alarm, child) for alarm in version_alarms(name, fn)]
        judges = [alarm.made for alarm in (*self.alarms, *args.judges)]

        # named as its function: a replacement must free the name first
        self.application = aws.codedeploy.Application(
            name, name=fn.name, compute_platform="Lambda", tags={"service": fn.service},
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(delete_before_replace=True)))
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("codedeploy.amazonaws.com"),
                                 description=f"CodeDeploy releasing {fn.pulumi_resource_name}", opts=child)
        statements = [
            Statement(["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
                      [fn.alias_arn], "MoveTheAlias"),
            Statement(["cloudwatch:DescribeAlarms"], [alarm.arn for alarm in judges], "ReadTheAlarms"),
        ]
        if args.hook is not None:
            statements.append(Statement(["lambda:InvokeFunction"], [args.hook.arn], "RunTheHook"))
        self.policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=policy_document(statements),
                                         opts=child)
        self.group = aws.codedeploy.DeploymentGroup(
            f"{name}-group", app_name=self.application.name, deployment_group_name=ALIAS,
            service_role_arn=self.role.arn, deployment_config_name=args.shift.config_name,
            deployment_style={"deployment_option": "WITH_TRAFFIC_CONTROL", "deployment_type": "BLUE_GREEN"},
            alarm_configuration={"enabled": True, "alarms": [alarm.name for alarm in judges]},
            auto_rollback_configuration={"enabled": True, "events": list(ROLLBACK_EVENTS)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]))
        hooks = {phase: args.hook.name for phase in HOOK_PHASES} if args.hook is not None else {}
        self.deployment = LambdaDeployment(
            f"{name}-deployment", application=self.application.name, deployment_group=self.group.deployment_group_name,
            function_name=fn.name, alias=ALIAS, target_version=fn.function.version, config=args.shift.config_name,
            timeout_seconds=int((args.shift.total_minutes + MARGIN_MINUTES) * 60),
            alarms=[alarm.name for alarm in judges], hooks=hooks, aws=session_settings(args.provider_settings),
            # The alias must exist (a first deploy creates it at this version) and the hook may check the version.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[fn.alias, self.group,
                                                                 *([args.hook] if args.hook else [])]))
        self.live_version = self.deployment.live_version
        self.register_outputs({"application": self.application.name,
                               "deployment_group": self.group.deployment_group_name, "live_version": self.live_version})

    def watch(self) -> Watch:
        """The version being released: its invocations, errors and p99 duration, with the alarms judging it."""
        errors, duration = self.alarms
        version = errors.metric.dimensions["ExecutedVersion"]
        invocations = watch_logic.lambda_metric(self.function.name, "Invocations", alias=ALIAS, version=version)
        return Watch(self.pulumi_resource_name, f"Release of {self.function.pulumi_resource_name} "
                     f"({self.shift.name})", "logic",
                     [Widget("New version: invocations and errors", [invocations, errors.metric], alarms=[errors]),
                      Widget("New version: duration (ms)", [duration.metric], alarms=[duration])])
