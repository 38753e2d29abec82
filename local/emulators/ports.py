"""The ports local mode serves on: from ``--port-base`` upwards, or free ones outside the ephemeral range."""

from __future__ import annotations

import random
import socket
import threading

from local.emulators.processes import ServiceError


# Ports local mode hands out by itself come from below Linux's ephemeral range
# (32768-60999): a port taken now is bound only later, and a bind(("", 0)) in
# between (the Lambda runtime API servers do that) must not be given it.
AUTO_PORTS = range(20000, 32000)


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_port(port: int, what: str) -> int:
    """Fail with a one-line message when ``port`` on 127.0.0.1 is taken."""
    if not _is_free(port):
        raise ServiceError(f"port {port} (for {what}) is already in use on 127.0.0.1; "
                           f"stop what uses it or pass another --port-base")
    return port


class Ports:
    """Ports from ``--port-base`` upwards (each checked), or free ones outside the ephemeral range."""

    def __init__(self, base: int | None = None):
        self.base = base
        # A random start keeps two local modes on one machine (tests) apart.
        self._next = base if base is not None else random.randrange(AUTO_PORTS.start, AUTO_PORTS.stop)
        self._lock = threading.Lock()

    def take(self, what: str) -> int:
        with self._lock:
            if self.base is not None:
                port = self._next
                self._next += 1
                return check_port(port, what)
            for _ in range(len(AUTO_PORTS)):
                port = self._next
                self._next = port + 1 if port + 1 < AUTO_PORTS.stop else AUTO_PORTS.start
                if _is_free(port):
                    return port
        raise ServiceError(f"no free port for {what} in {AUTO_PORTS.start}-{AUTO_PORTS.stop - 1}")
