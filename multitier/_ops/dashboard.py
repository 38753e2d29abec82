"""The dashboard body: watches laid out by tier, in the order a request travels, as CloudWatch's JSON.

The body follows CloudWatch's "Dashboard Body Structure and Syntax": ``metric``, ``text`` and
``alarm`` widgets on the 24-column grid, each metric as ``[namespace, name, dimension, value,
..., {rendering}]``. An alarm is drawn on the chart of its metric as a horizontal annotation
at its threshold, labelled with the alarm's name (CloudWatch's alarm annotation would hide
the chart's other lines), and every alarm of the dashboard is listed in an alarm status
widget at the top. Local mode renders the very same body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi

from multitier._ops import catalog
from multitier._ops.watch import TIERS, Alarm, Metric, Watch, Widget

GRID = 24
ALARM_COLOR = "#d62728"
TIER_TITLES = {"presentation": "Presentation", "identity": "Identity", "logic": "Logic", "data": "Data"}
LEGEND = ("Tiers in the order a request travels. A red line is an alarm's threshold, labelled with the "
          "alarm's name; the alarm judges the line of the same colour as the metric it watches.")


@dataclass(frozen=True)
class AlarmRef:
    """A created alarm, as the body names it."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]


@dataclass(frozen=True)
class Section:
    """A titled group of watches (a pattern on the overview); ``link`` is its own dashboard's name."""

    title: str
    watches: Sequence[Watch]
    link: str = ""


def alarm_resource_name(watch: Watch, alarm: Alarm) -> str:
    return f"{watch.name}-{alarm.key}"


def body(title: str, sections: Sequence[Section], region: str, alarms: Mapping[str, AlarmRef],
         overview: bool = False) -> pulumi.Output[str]:
    """The dashboard body of ``sections`` (one section: a pattern's dashboard, by tier; several: the
    overview, by section, with only the widgets marked ``overview``). ``alarms`` maps
    ``alarm_resource_name`` to the alarm created for it (none: alarms are off, nothing is drawn)."""
    inputs: list[Any] = []

    def slot(value: pulumi.Input[str]) -> int:
        inputs.append(value)
        return len(inputs) - 1

    layout = _Layout(region, slot, alarms)
    layout.text(f"# {title}\n{LEGEND}", height=2)
    layout.alarm_status([ref for s in sections for w in s.watches for a in w.alarms
                         if (ref := alarms.get(alarm_resource_name(w, a)))])
    for section in sections:
        if overview:
            link = f" ([dashboard](#dashboards/dashboard/{section.link}))" if section.link else ""
            layout.text(f"## {section.title}{link}", height=1)
            for watch in sorted(section.watches, key=lambda w: TIERS.index(w.tier)):
                layout.row(watch, [w for w in watch.widgets if w.overview])
            continue
        for tier in TIERS:
            watches = [w for w in section.watches if w.tier == tier]
            if watches:
                layout.text(f"## {TIER_TITLES[tier]}", height=1)
            for watch in watches:
                layout.row(watch, watch.widgets)
    if len(layout.widgets) > catalog.MAX_WIDGETS:
        raise ValueError(f"dashboard {title}: {len(layout.widgets)} widgets, CloudWatch allows "
                         f"{catalog.MAX_WIDGETS}")
    template = layout.widgets
    return pulumi.Output.all(*inputs).apply(
        lambda values: json.dumps({"start": "-PT3H", "periodOverride": "inherit",
                                   "widgets": _fill(template, values)}, indent=1))


class _Layout:
    """Places widgets left to right, a new row for each watch; values to resolve are ``{"$": slot}``."""

    def __init__(self, region: str, slot, alarms: Mapping[str, AlarmRef]):
        self.region, self.slot, self.alarms = region, slot, alarms
        self.widgets: list[dict[str, Any]] = []
        self.x = self.y = self.row_height = 0

    def _place(self, kind: str, width: int, height: int, properties: dict[str, Any]) -> None:
        if self.x + width > GRID:
            self.newline()
        self.widgets.append({"type": kind, "x": self.x, "y": self.y, "width": width, "height": height,
                             "properties": properties})
        self.x += width
        self.row_height = max(self.row_height, height)

    def newline(self) -> None:
        if self.x:
            self.y += self.row_height
        self.x = self.row_height = 0

    def text(self, markdown: str, height: int) -> None:
        self.newline()
        self._place("text", GRID, height, {"markdown": markdown})
        self.newline()

    def alarm_status(self, refs: Sequence[AlarmRef]) -> None:
        per = catalog.MAX_ALARMS_PER_ALARM_WIDGET
        for start in range(0, len(refs), per):
            chunk = refs[start:start + per]
            self.newline()
            self._place("alarm", GRID, min(2 + len(chunk) // 4, 12), {
                "title": "Alarms" + (f" ({start // per + 1})" if len(refs) > per else ""),
                "alarms": [{"$": self.slot(ref.arn)} for ref in chunk], "sortBy": "stateUpdatedTimestamp"})
        self.newline()

    def row(self, watch: Watch, widgets: Sequence[Widget]) -> None:
        self.newline()
        for widget in widgets:
            self._place("metric", widget.width, widget.height, self._metric_properties(watch, widget))
        self.newline()

    def _metric_properties(self, watch: Watch, widget: Widget) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "title": f"{watch.name}: {widget.title}", "region": widget.region or self.region, "view": widget.view,
            "stacked": False, "period": widget.metrics[0].period, "metrics": [self._metric(m) for m in widget.metrics],
        }
        if widget.unit:
            properties["yAxis"] = {"left": {"label": widget.unit, "showUnits": False}}
        lines = [{"label": {"$": self.slot(ref.name)}, "value": alarm.threshold, "color": ALARM_COLOR}
                 for alarm in widget.alarms if (ref := self.alarms.get(alarm_resource_name(watch, alarm)))]
        if lines:
            properties["annotations"] = {"horizontal": lines}
        return properties

    def _metric(self, metric: Metric) -> list[Any]:
        dimensions = [part for key, value in metric.dimensions.items() for part in (key, {"$": self.slot(value)})]
        rendering = {"stat": metric.stat, "period": metric.period}
        if metric.label:
            rendering["label"] = metric.label
        return [metric.namespace, metric.name, *dimensions, rendering]


def _fill(template: Any, values: Sequence[Any]) -> Any:
    if isinstance(template, dict):
        if set(template) == {"$"}:
            return values[template["$"]]
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


def console_url(region: str, name: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat(f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
                                "#dashboards/dashboard/", name)
