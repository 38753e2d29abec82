"""Time as the local alarms and charts see it: real time, with CloudWatch's periods compressed ``scale`` times.

At ``scale`` 60 an alarm's one-minute period lasts one second, so what takes five minutes on
AWS (an alarm going to ALARM, a canary's bake time) takes five seconds: a test or a release
rehearsal runs the same alarms in compressed time. ``ManualClock`` moves only when told.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """``now()`` in seconds since the epoch; ``seconds(aws)`` is how long ``aws`` seconds last here."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    @property
    def scale(self) -> float:
        return self._scale

    @scale.setter
    def scale(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"time scale {value!r} must be above 0 (1: real time; 60: a minute lasts a second)")
        self._scale = float(value)

    def now(self) -> float:
        return time.time()

    def seconds(self, aws_seconds: float) -> float:
        return aws_seconds / self._scale

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait ``seconds`` (real), or until ``stop`` is set (then True)."""
        return stop.wait(seconds)


class ManualClock(Clock):
    """A clock that moves only by ``advance``: for tests and for stepping a rehearsal."""

    def __init__(self, start: float = 1_800_000_000.0, scale: float = 1.0):
        super().__init__(scale)
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def __call__(self) -> float:
        return self._now
