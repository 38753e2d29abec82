"""The cache's stand-in: a Redis-protocol server on 127.0.0.1 (``redis-server``, else fakeredis in a thread)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from local.emulators.processes import ServiceError, stop_process, wait_for_port


class Redis:
    """``redis-server`` when installed, else fakeredis's TCP server in a thread."""

    def __init__(self, port: int, root: Path):
        self.port = port
        self.root = root
        self.process: subprocess.Popen | None = None
        self.server: Any = None
        self.thread: threading.Thread | None = None
        self.kind = ""

    def start(self) -> str:
        binary = shutil.which("redis-server")
        if binary:
            self.root.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                 "--protected-mode", "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, start_new_session=True)
            wait_for_port(self.port, 10, self.process, "redis-server")
            self.kind = f"redis-server on 127.0.0.1:{self.port}"
            return self.kind
        try:
            from fakeredis import TcpFakeServer
        except ImportError:
            raise ServiceError("no redis-server on PATH and fakeredis is not installed "
                               "(pip install -r requirements-dev.txt)") from None
        self.server = TcpFakeServer(("127.0.0.1", self.port), server_type="redis")
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fakeredis", daemon=True)
        self.thread.start()
        wait_for_port(self.port, 10, None, "fakeredis")
        self.kind = f"fakeredis (embedded) on 127.0.0.1:{self.port}"
        return self.kind

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
