"""The HTTP side of a gateway: a threaded loopback server handing each request to ``Gateway.handle``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from local.emulators.loopback import LoopbackServer, QuietHandler

if TYPE_CHECKING:
    from local.apigateway.gateway import Gateway


class GatewayServer(LoopbackServer):
    request_queue_size = 128


class GatewayHandler(QuietHandler):  # the gateway writes its own access log
    server_version = "local-apigateway"
    sys_version = ""
    gateway: Gateway

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
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

    def __getattr__(self, name: str):
        # Every method reaches the gateway (http.server answers 501 with an HTML page for a method
        # without a do_ handler): the document decides, and an undeclared one is API Gateway's 403.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)
