"""local/_http.py: what local mode relies on in http.server beyond its documented interface."""

from __future__ import annotations

import http.client

from local._http import AnyMethodHandler, LoopbackServer, serve, shut_down


class Echo(AnyMethodHandler):
    def serve(self) -> None:
        body = self.command.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_every_method_reaches_serve_even_one_http_never_defined():
    # http.server finds a request's handler as the attribute do_<METHOD>; without it, it answers 501
    server = LoopbackServer(("127.0.0.1", 0), Echo)
    serve(server, "echo")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        for method in ("GET", "DELETE", "PROPFIND", "BREW"):
            connection.request(method, "/")
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, method.encode())  # and the connection is kept
        connection.close()
    finally:
        shut_down(server)
