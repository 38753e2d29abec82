"""The plumbing every local HTTP server shares: loopback only, quiet, on a daemon thread; and the one behaviour
of ``http.server`` beyond its documented interface that local mode relies on.

``AnyMethodHandler`` answers every HTTP method with one ``serve()``: ``http.server``
looks a request's method up as an attribute ``do_<METHOD>`` (and answers 501 with an
HTML page where there is none), which is not documented. ``tests/local/test_http.py``
pins it, so a Python upgrade that changes it fails there and breaks only this file.
"""

from __future__ import annotations

import abc
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


class AnyMethodHandler(QuietHandler, abc.ABC):
    """A handler whose ``serve()`` gets every method, including ones HTTP never defined (the server decides)."""

    @abc.abstractmethod
    def serve(self) -> None:
        """Answer the request, whatever its method."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self.serve
        raise AttributeError(name)


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
