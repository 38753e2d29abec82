"""boto3 clients created lazily, once per container (and per thread-safe boto3 client)."""

from __future__ import annotations

import threading
from typing import Any

_clients: dict[str, Any] = {}
_session: Any = None
_lock = threading.Lock()


def client(service: str) -> Any:
    """Return the container-wide boto3 client for ``service`` (honours AWS_ENDPOINT_URL)."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    with _lock:
        if service not in _clients:
            global _session
            import boto3  # imported on first use: keeps cold imports fast
            from botocore.config import Config

            if _session is None:
                # One session: its loader parses endpoint and service models once per container.
                _session = boto3.session.Session()
            _clients[service] = _session.client(
                service,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10),
            )
        return _clients[service]


def reset_clients() -> None:
    """Forget cached clients (tests)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
