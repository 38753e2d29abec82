"""Powertools Logger, Tracer and Metrics, configured from POWERTOOLS_* env vars."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
metrics = Metrics()

API_CORRELATION_PATH = correlation_paths.API_GATEWAY_REST

__all__ = ["API_CORRELATION_PATH", "logger", "metrics", "tracer"]
