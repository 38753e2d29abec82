"""ElastiCache's stand-in: a real ``valkey-server`` or ``redis-server`` on 127.0.0.1 (Debian's; ``make
system-deps`` installs one), else the embedded fakeredis in a thread, which local mode announces as a fallback."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from local.emulators.processes import Children, ServiceError, stop_process, wait_for_port

SERVERS = ("valkey-server", "redis-server")  # ElastiCache's engines, newest first


class Redis:
    """A Redis-protocol server on ``port``: ``kind`` says which; ``embedded`` when it is the fallback."""

    def __init__(self, port: int, root: Path, children: Children | None = None):
        self.port = port
        self.root = root
        self.children = children or Children()
        self._own_children = children is None
        self.process: subprocess.Popen | None = None
        self.server: Any = None
        self.thread: threading.Thread | None = None
        self.kind = ""
        self.embedded = False

    def start(self) -> str:
        binary = next((path for path in map(shutil.which, SERVERS) if path), None)
        if binary:
            self.root.mkdir(parents=True, exist_ok=True)
            self.process = self.children.popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                 "--protected-mode", "yes", "--dir", str(self.root)], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            wait_for_port(self.port, 10, self.process, Path(binary).name)
            self.kind = f"{_version(binary)} on 127.0.0.1:{self.port}"
            return self.kind
        try:
            from fakeredis import TcpFakeServer
        except ImportError:
            raise ServiceError(f"no {' or '.join(SERVERS)} on PATH (make system-deps installs Debian's) and "
                               f"fakeredis is not installed (pip install -r requirements-dev.txt)") from None
        self.server = TcpFakeServer(("127.0.0.1", self.port), server_type="redis")
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fakeredis", daemon=True)
        self.thread.start()
        wait_for_port(self.port, 10, None, "fakeredis")
        self.embedded = True
        self.kind = f"fakeredis (embedded fallback) on 127.0.0.1:{self.port}"
        return self.kind

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
        if self._own_children:
            self.children.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _version(binary: str) -> str:
    """``redis-server 7.0.15`` from ``redis-server --version`` (``... v=7.0.15 ...``)."""
    name = Path(binary).name
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return name
    match = re.search(r"v=(\S+)", out)
    return f"{name} {match.group(1)}" if match else name
