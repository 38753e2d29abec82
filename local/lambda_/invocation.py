"""One invocation: the event handed to a worker, its outcome, and how a function is named."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any


class FunctionNotFound(KeyError):
    """No function of that name or ARN was started (Lambda's ResourceNotFoundException)."""


@dataclass
class InvokeResult:
    """The outcome of one invocation."""

    function_name: str
    request_id: str
    payload: Any = None              # the handler's JSON result (None on error)
    error: dict | None = None        # {"errorType", "errorMessage", ...} when the invocation failed
    cold_start: bool = False
    duration_ms: float = 0.0         # handler time, as Lambda's "Duration"
    init_duration_ms: float | None = None  # on a cold start: process start to first /next
    timed_out: bool = False
    max_memory_mb: float | None = None
    executed_version: str | None = None  # through an alias: the version that ran (local/release)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out


def function_name_of(name_or_arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name[:qualifier]`` or ``name[:qualifier]`` → name."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            return parts[6]
        raise FunctionNotFound(name_or_arn)
    return name_or_arn.split(":", 1)[0]


class Invocation:
    """One event handed to one worker; the worker's Runtime API server completes it."""

    def __init__(self, event: Any, budget_s: float, arn: str):
        self.request_id = str(uuid.uuid4())
        self.body = json.dumps(event).encode()
        self.budget_s = budget_s
        self.arn = arn
        self.cond = threading.Condition()
        self.state = "queued"            # queued → running → done
        self.started: float | None = None
        self.finished: float | None = None
        self.deadline_ms = 0
        self.payload: Any = None
        self.error: dict | None = None
        self.max_rss = 0

    def start(self) -> None:
        with self.cond:
            self.started = time.monotonic()
            self.deadline_ms = int(time.time() * 1000 + self.budget_s * 1000)
            self.state = "running"
            self.cond.notify_all()

    def finish(self, payload: Any = None, error: dict | None = None) -> bool:
        with self.cond:
            if self.state == "done":
                return False
            self.payload, self.error = payload, error
            self.finished = time.monotonic()
            self.state = "done"
            self.cond.notify_all()
            return True
