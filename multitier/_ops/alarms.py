"""Alarms: every alarm the components' watches declare, as CloudWatch alarms notifying one SNS topic."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws

from multitier._ops.dashboard import AlarmRef, alarm_resource_name
from multitier._ops.watch import STATISTICS, Alarm, Watch


@dataclass
class AlarmsArgs:
    """The watches whose alarms to create; ``email`` (empty: none) is subscribed to the alarm topic.

    ``protect`` makes Pulumi refuse to delete or replace the topic's key (what it encrypted is lost with it).
    """

    email: str = ""
    watches: Sequence[Watch] = ()
    protect: bool = True


def topic_key_policy(account_id: str) -> str:
    """The account administers the key; CloudWatch may use it to publish alarms.

    The AWS-managed ``alias/aws/sns`` key cannot grant CloudWatch, so alarms
    sent to a topic encrypted with it are silently dropped.
    """
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchPublishesAlarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
    ]}, sort_keys=True)


def topic_policy(topic_arn: str, account_id: str, region: str) -> str:
    """The account keeps its default rights, CloudWatch publishes this account's alarms, and nobody
    publishes without TLS."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountOwns", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
                    "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
         "Resource": topic_arn},
        {"Sid": "CloudWatchPublishesAlarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*"},
                       "StringEquals": {"aws:SourceAccount": account_id}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Resource": topic_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]}, sort_keys=True)


class Alarms(pulumi.ComponentResource):
    """One topic (encrypted with its own key, optional e-mail subscription) and an alarm per declared alarm.

    An alarm's resource is ``<watch name>-<alarm key>`` (``dashboard.alarm_resource_name``);
    ``of(watch)`` gives a watch's alarms by key, for whatever else judges by them (a release).
    """

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:ops:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.key = aws.kms.Key(f"{name}-key", description="Encrypts the alarm topic; CloudWatch may publish",
                               enable_key_rotation=True, deletion_window_in_days=30,
                               policy=account.apply(topic_key_policy),
                               opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.topic = aws.sns.Topic(f"{name}-topic", kms_master_key_id=self.key.arn, opts=child)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy", arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, account, region).apply(lambda v: topic_policy(*v)), opts=child)
        if args.email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email",
                                      endpoint=args.email, opts=child)
        self.by_resource: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for watch in args.watches:
            for alarm in watch.alarms:
                resource_name = alarm_resource_name(watch, alarm)
                if resource_name in self.by_resource:
                    raise ValueError(f"two alarms named {resource_name}: watch names must be unique")
                self.by_resource[resource_name] = alarm.made if alarm.made is not None else \
                    self._alarm(resource_name, alarm)
        self.alarms = list(self.by_resource.values())
        self.register_outputs({"topic_arn": self.topic.arn})

    def of(self, watch: Watch) -> dict[str, aws.cloudwatch.MetricAlarm]:
        """``watch``'s alarms by key (``lambda-errors``, ``5xx``, ...)."""
        return {a.key: self.by_resource[alarm_resource_name(watch, a)] for a in watch.alarms}

    def refs(self) -> dict[str, AlarmRef]:
        return {name: AlarmRef(alarm.name, alarm.arn) for name, alarm in self.by_resource.items()}

    def _alarm(self, resource_name: str, alarm: Alarm) -> aws.cloudwatch.MetricAlarm:
        return metric_alarm(resource_name, alarm, pulumi.ResourceOptions(parent=self), [self.topic.arn])


def made_alarm(watch_name: str, alarm: Alarm, opts: pulumi.ResourceOptions) -> Alarm:
    """``alarm`` made now, notifying no one, for the watch named ``watch_name`` (``Alarm.made``): a component's
    own judge (a release's), which the stack draws with the others."""
    return dataclasses.replace(alarm, made=metric_alarm(f"{watch_name}-{alarm.key}", alarm, opts))


def metric_alarm(resource_name: str, alarm: Alarm, opts: pulumi.ResourceOptions,
                 actions: Sequence[pulumi.Input[str]] = ()) -> aws.cloudwatch.MetricAlarm:
    """The CloudWatch alarm of a declared ``alarm``, notifying ``actions`` (also what judges a release)."""
    metric = alarm.metric
    percentile = metric.stat not in STATISTICS
    return aws.cloudwatch.MetricAlarm(
        resource_name, namespace=metric.namespace, metric_name=metric.name, dimensions=dict(metric.dimensions),
        statistic=None if percentile else metric.stat, extended_statistic=metric.stat if percentile else None,
        period=metric.period, evaluation_periods=alarm.evaluation_periods,
        datapoints_to_alarm=alarm.datapoints_to_alarm, threshold=alarm.threshold,
        comparison_operator=alarm.comparison, treat_missing_data=alarm.treat_missing_data,
        alarm_description=alarm.description, alarm_actions=list(actions) or None, ok_actions=list(actions) or None,
        opts=opts)
