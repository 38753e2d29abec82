"""The HTTP side of a gateway: a threaded loopback server handing each request to ``Gateway.handle``.

A body is read up to one byte past API Gateway's payload limit (10 MB) and the rest
is drained unread, so the gateway can answer 413 without holding it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local._http import AnyMethodHandler, LoopbackServer

if TYPE_CHECKING:
    from local.apigateway.gateway import Gateway


MAX_PAYLOAD = 10 * 1024 * 1024
_CHUNK = 1 << 16


class GatewayServer(LoopbackServer):
    request_queue_size = 128


class GatewayHandler(AnyMethodHandler):  # every method reaches the gateway, which writes its own access log
    server_version = "local-apigateway"
    sys_version = ""
    gateway: Gateway

    def _read_body(self) -> bytes:
        """The body, cut one byte past ``MAX_PAYLOAD`` (what is beyond is read and dropped)."""
        kept = bytearray()

        def take(size: int) -> None:
            while size > 0:
                data = self.rfile.read(min(size, _CHUNK))
                if not data:
                    return
                size -= len(data)
                kept.extend(data[:max(0, MAX_PAYLOAD + 1 - len(kept))])

        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                take(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
        else:
            take(int(self.headers.get("Content-Length") or 0))
        return bytes(kept)

    def serve(self) -> None:
        # The document decides which methods exist: an undeclared one is API Gateway's 403.
        try:
            body = self._read_body()
        except ValueError:  # a Content-Length or chunk size that is no number: the stream is lost
            self.close_connection = True
            self.send_error(400, "Bad Request")
            return
        headers = [(k, v) for k, v in self.headers.items()]
        status, out_headers, out_body = self.gateway.handle(self.command, self.path, headers, body,
                                                            self.client_address[0])
        self.send_response(status)
        for name, value in out_headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(out_body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and out_body:
            self.wfile.write(out_body)
