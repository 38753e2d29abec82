"""The ports local mode serves on: the same on every run, from ``--port-base`` upwards, or free ones.

Without ``--port-base``, each port is remembered by what it serves (``moto``, ``site web-app-site``, ...)
in a file of the stack's data folder, and the next run takes the same port again unless something else
listens there: URLs stay the same across restarts, so bookmarks and a browser's session (its origin)
survive them. A port taken by something else is replaced by a free one, and said so.
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
from pathlib import Path
from typing import Callable

from local.emulators.processes import ServiceError


# Ports local mode hands out by itself come from below Linux's ephemeral range
# (32768-60999): a port taken now is bound only later, and a bind(("", 0)) in
# between (the Lambda runtime API servers do that) must not be given it.
AUTO_PORTS = range(20000, 32000)
FILE = "ports.json"


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


def _remembered(path: Path | None) -> dict[str, int]:
    try:
        known = json.loads(path.read_text()) if path is not None else {}
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: this run picks and remembers new ones
    return {str(k): v for k, v in known.items() if isinstance(v, int) and v in AUTO_PORTS} \
        if isinstance(known, dict) else {}


class Ports:
    """Ports from ``base`` upwards (each checked), or the ones ``remember`` holds (else free ones, then kept)."""

    def __init__(self, base: int | None = None, remember: Path | None = None,
                 log: Callable[[str], None] | None = None):
        self.base = base
        self.remember = remember if base is None else None
        self.log = log or (lambda line: None)
        self.known = _remembered(self.remember)
        self.taken: dict[str, int] = {}
        # A random start keeps two local modes on one machine (tests) apart.
        self._next = base if base is not None else random.randrange(AUTO_PORTS.start, AUTO_PORTS.stop)
        self._lock = threading.Lock()

    def take(self, what: str) -> int:
        with self._lock:
            if self.base is not None:
                port = self._next
                self._next += 1
                return check_port(port, what)
            port = self.known.get(what)
            if port is None or port in self.taken.values() or not _is_free(port):
                if port is not None:
                    self.log(f"port {port} (for {what}) is in use on 127.0.0.1: its URL changes this time")
                port = self._free(what)
            self.taken[what] = port
            self._save()
            return port

    def _free(self, what: str) -> int:
        # Ports remembered for what this run has yet to start are not handed to something else.
        reserved = {*self.known.values(), *self.taken.values()}
        for _ in range(len(AUTO_PORTS)):
            port = self._next
            self._next = port + 1 if port + 1 < AUTO_PORTS.stop else AUTO_PORTS.start
            if port not in reserved and _is_free(port):
                return port
        raise ServiceError(f"no free port for {what} in {AUTO_PORTS.start}-{AUTO_PORTS.stop - 1}")

    def _save(self) -> None:
        if self.remember is None:
            return
        self.remember.parent.mkdir(parents=True, exist_ok=True)
        partial = self.remember.with_suffix(".partial")
        partial.write_text(json.dumps({**self.known, **self.taken}, indent=1, sort_keys=True) + "\n")
        os.replace(partial, self.remember)  # readers never see half a file
