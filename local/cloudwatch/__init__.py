"""CloudWatch, locally: metrics from what local mode sees, the program's alarms and dashboards (``service.py``)."""

from local.cloudwatch.alarms import ALARM, INSUFFICIENT_DATA, OK, AlarmEvaluator, LocalAlarm
from local.cloudwatch.clock import Clock, ManualClock
from local.cloudwatch.service import LocalCloudWatch
from local.cloudwatch.store import MetricStore

__all__ = ["ALARM", "INSUFFICIENT_DATA", "OK", "AlarmEvaluator", "Clock", "LocalAlarm", "LocalCloudWatch",
           "ManualClock", "MetricStore"]
