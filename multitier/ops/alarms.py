"""Alarms: Lambda errors and throttles, API 5XX and latency, DynamoDB throttles → SNS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws

from multitier.data.table import Table
from multitier.logic.function import Function
from multitier.logic.rest_api import RestApi


@dataclass
class AlarmsArgs:
    """What to watch; ``email`` (empty: none) is subscribed to the alarm topic.

    An API alarms on any 5XX and on a p99 latency above ``latency_p99_ms``. ``protect``
    makes Pulumi refuse to delete or replace the topic's key (what it encrypted is lost with it).
    """

    email: str = ""
    latency_p99_ms: int = 3000
    functions: Sequence[Function] = ()
    apis: Sequence[RestApi] = ()
    tables: Sequence[Table] = ()
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
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
    ]}, sort_keys=True)


class Alarms(pulumi.ComponentResource):
    """One topic (encrypted with its own key, optional e-mail subscription) and an alarm per signal."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:ops:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.key = aws.kms.Key(f"{name}-key", description="Encrypts the alarm topic; CloudWatch may publish",
                               enable_key_rotation=True, deletion_window_in_days=30,
                               policy=account.apply(topic_key_policy),
                               opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.topic = aws.sns.Topic(f"{name}-topic", kms_master_key_id=self.key.arn, opts=child)
        if args.email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email",
                                      endpoint=args.email, opts=child)
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        # Alarm names carry the kind of what they watch: a function and a table may share a name.
        for fn in args.functions:
            for metric in ("Errors", "Throttles"):
                self._alarm(f"{fn.pulumi_resource_name}-lambda-{metric.lower()}", "AWS/Lambda", metric,
                            {"FunctionName": fn.name}, statistic="Sum", threshold=0,
                            description=f"{metric} of {fn.pulumi_resource_name}")
        for api in args.apis:
            api_name = api.pulumi_resource_name
            dimensions = {"ApiName": api.api.name, "Stage": api.stage_name}
            self._alarm(f"{api_name}-5xx", "AWS/ApiGateway", "5XXError", dimensions, statistic="Sum", threshold=0,
                        description=f"Server errors of {api_name}")
            self._alarm(f"{api_name}-latency", "AWS/ApiGateway", "Latency", dimensions,
                        extended_statistic="p99", threshold=args.latency_p99_ms,
                        description=f"p99 latency of {api_name} above {args.latency_p99_ms} ms")
        for table in args.tables:
            self._alarm(f"{table.pulumi_resource_name}-dynamodb-throttles", "AWS/DynamoDB", "ThrottledRequests",
                        {"TableName": table.name}, statistic="Sum", threshold=0,
                        description=f"Throttled requests on {table.pulumi_resource_name}")
        self.register_outputs({"topic_arn": self.topic.arn})

    def _alarm(self, name: str, namespace: str, metric: str, dimensions: dict, *, threshold: float,
               description: str, statistic: str | None = None, extended_statistic: str | None = None) -> None:
        self.alarms.append(aws.cloudwatch.MetricAlarm(
            name, namespace=namespace, metric_name=metric, dimensions=dimensions, statistic=statistic,
            extended_statistic=extended_statistic, period=300, evaluation_periods=1, threshold=threshold,
            comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
            alarm_description=description, alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn],
            opts=pulumi.ResourceOptions(parent=self)))
