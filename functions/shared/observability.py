"""Powertools Logger, Tracer and Metrics, configured from POWERTOOLS_* env vars.

``Tracer()`` imports the X-Ray SDK and patches every library it supports at import,
which imports botocore and psycopg: more than importing boto3 costs, in every function,
whether or not it ever uses them. Here the tracer's provider imports the X-Ray recorder
on first use (the first traced call), and each traced library is patched when it is
first imported, so before any call can go through it. What is traced is unchanged:
the handlers and methods the services decorate, AWS SDK calls and PostgreSQL
connections (what ``Tracer()``'s ``patch_all`` patched among the layer's libraries).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import wrapt
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.tracing.base import BaseProvider

# X-Ray's name for each traced library → the top-level module whose import triggers the patch
# (botocore is patched once boto3 is imported: a hook on a submodule runs before its package
# has the attribute X-Ray's patch reads).
TRACED_LIBRARIES = {"botocore": "boto3", "psycopg": "psycopg"}


class LazyXRayProvider(BaseProvider):
    """The X-Ray SDK's global recorder as a Powertools tracing provider, imported on first use."""

    @functools.cached_property
    def _sdk(self) -> Any:
        import aws_xray_sdk.core

        # What Tracer does to the recorder it imports itself: send each subsegment as it ends.
        aws_xray_sdk.core.xray_recorder.configure(streaming_threshold=0)
        return aws_xray_sdk.core

    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Any:
        return self._sdk.xray_recorder.in_subsegment(name=name, **kwargs)

    def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> Any:
        return self._sdk.xray_recorder.in_subsegment_async(name=name, **kwargs)

    def put_annotation(self, key: str, value: Any) -> None:
        self._sdk.xray_recorder.put_annotation(key=key, value=value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self._sdk.xray_recorder.put_metadata(key=key, value=value, namespace=namespace)

    def patch(self, modules: Sequence[str]) -> None:
        # Errors tolerated as patch_all tolerates them: X-Ray's psycopg patch wraps
        # psycopg.connect, then fails on psycopg_pool, which the layer does not hold.
        self._sdk.patch(modules, raise_errors=False)

    def patch_all(self) -> None:
        self.patch(list(TRACED_LIBRARIES))


def _patch_on_import(library: str) -> Callable[[ModuleType], None]:
    # Tracer.patch does nothing when tracing is disabled (outside Lambda, or by env var).
    return lambda module: tracer.patch([library])


logger = Logger()
tracer = Tracer(provider=LazyXRayProvider(), auto_patch=False)
metrics = Metrics()

for library, module in TRACED_LIBRARIES.items():
    wrapt.register_post_import_hook(_patch_on_import(library), module)

API_CORRELATION_PATH = correlation_paths.API_GATEWAY_REST

__all__ = ["API_CORRELATION_PATH", "logger", "metrics", "tracer"]
