"""Dashboards: one CloudWatch dashboard per pattern and an overview of the stack, from the watches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from multitier._ops.dashboard import AlarmRef, Section, body, console_url
from multitier._ops.watch import Watch

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
OVERVIEW = "overview"


@dataclass
class DashboardsArgs:
    """``prefix`` (e.g. ``<project>-<stack>``) starts every dashboard's name: names are unique per account,
    so it must tell stacks apart. ``patterns``: key → (title, watches in the order a request travels).
    ``alarms``: the created alarms by resource name (``Alarms.refs()``), drawn on the charts."""

    prefix: str
    region: str
    patterns: Mapping[str, tuple[str, Sequence[Watch]]]
    alarms: Mapping[str, AlarmRef] = field(default_factory=dict)


class Dashboards(pulumi.ComponentResource):
    """``<prefix>-<pattern>`` for each pattern and ``<prefix>-overview``; ``urls`` opens each in the console."""

    def __init__(self, name: str, args: DashboardsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:ops:Dashboards", name, None, opts)
        sections = {key: Section(title, watches, link=dashboard_name(args.prefix, key))
                    for key, (title, watches) in args.patterns.items()}
        self.dashboards: dict[str, aws.cloudwatch.Dashboard] = {}
        for key, section in sections.items():
            self._dashboard(key, section.link, body(f"{section.title} ({args.prefix})", [section], args.region,
                                                    args.alarms))
        overview = dashboard_name(args.prefix, OVERVIEW)
        self._dashboard(OVERVIEW, overview, body(f"Overview of {args.prefix}", list(sections.values()), args.region,
                                                 args.alarms, overview=True))
        self.urls = {key: console_url(args.region, d.dashboard_name) for key, d in self.dashboards.items()}
        self.register_outputs({"urls": self.urls})

    def _dashboard(self, key: str, name: str, dashboard_body: pulumi.Output[str]) -> None:
        self.dashboards[key] = aws.cloudwatch.Dashboard(f"{self.pulumi_resource_name}-{key}", dashboard_name=name,
                                                        dashboard_body=dashboard_body,
                                                        opts=pulumi.ResourceOptions(parent=self))


def dashboard_name(prefix: str, key: str) -> str:
    name = f"{prefix}-{key.replace('_', '-')}"
    if not _NAME.match(name):
        raise ValueError(f"dashboard name {name!r} must be 1-255 letters, digits, '-' and '_'")
    return name
