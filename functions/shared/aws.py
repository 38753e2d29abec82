"""boto3 clients created lazily, once per container (and per thread-safe boto3 client)."""

from __future__ import annotations

import threading
from typing import Any

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    """Return the container-wide boto3 client for ``service`` (honours AWS_ENDPOINT_URL)."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    with _lock:
        if service not in _clients:
            import boto3  # imported on first use: keeps cold imports fast
            from botocore.config import Config

            _clients[service] = boto3.session.Session().client(
                service,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10),
            )
        return _clients[service]


def reset_clients() -> None:
    """Forget cached clients (tests)."""
    with _lock:
        _clients.clear()
