"""The plumbing every local HTTP server shares: loopback only, quiet, on a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client or worker going away mid-response is expected here


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else delayed ACKs add ~40 ms to every small response

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - each server logs what matters itself
        pass


def serve(server: ThreadingHTTPServer, name: str, poll_interval: float = 0.2) -> threading.Thread:
    """Run ``server`` on a daemon thread (it dies with the process)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, name=name,
                              daemon=True)
    thread.start()
    return thread


def shut_down(server: ThreadingHTTPServer) -> None:
    """Stop serving and close the socket."""
    server.shutdown()
    server.server_close()
