"""Alarms: Lambda errors and throttles, API 5XX and latency, DynamoDB throttles → SNS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pulumi
import pulumi_aws as aws

from components.config import AlarmSettings
from components.data.table import Table
from components.logic.function import Function
from components.logic.rest_api import RestApi


@dataclass
class AlarmsArgs:
    settings: AlarmSettings
    functions: Sequence[Function] = ()
    apis: Sequence[RestApi] = ()
    tables: Sequence[Table] = field(default_factory=list)


class Alarms(pulumi.ComponentResource):
    """One topic (encrypted, optional e-mail subscription) and an alarm per signal."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:ops:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(f"{name}-topic", kms_master_key_id="alias/aws/sns", opts=child)
        if args.settings.email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email",
                                      endpoint=args.settings.email, opts=child)
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        for fn in args.functions:
            for metric in ("Errors", "Throttles"):
                self._alarm(f"{fn._name}-{metric.lower()}", "AWS/Lambda", metric, {"FunctionName": fn.name},
                            statistic="Sum", threshold=0, description=f"{metric} of {fn._name}")
        for api in args.apis:
            dimensions = {"ApiName": api.api.name, "Stage": api.stage.stage_name}
            self._alarm(f"{api._name}-5xx", "AWS/ApiGateway", "5XXError", dimensions, statistic="Sum", threshold=0,
                        description=f"Server errors of {api._name}")
            self._alarm(f"{api._name}-latency", "AWS/ApiGateway", "Latency", dimensions,
                        extended_statistic="p99", threshold=args.settings.latency_p99_ms,
                        description=f"p99 latency of {api._name} above {args.settings.latency_p99_ms} ms")
        for table in args.tables:
            self._alarm(f"{table._name}-throttles", "AWS/DynamoDB", "ThrottledRequests", {"TableName": table.name},
                        statistic="Sum", threshold=0, description=f"Throttled requests on {table._name}")
        self.register_outputs({"topic_arn": self.topic.arn})

    def _alarm(self, name: str, namespace: str, metric: str, dimensions: dict, *, threshold: float,
               description: str, statistic: str | None = None, extended_statistic: str | None = None) -> None:
        self.alarms.append(aws.cloudwatch.MetricAlarm(
            name, namespace=namespace, metric_name=metric, dimensions=dimensions, statistic=statistic,
            extended_statistic=extended_statistic, period=300, evaluation_periods=1, threshold=threshold,
            comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
            alarm_description=description, alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn],
            opts=pulumi.ResourceOptions(parent=self)))
