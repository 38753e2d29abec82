"""Local mode's cache: Debian's Valkey or Redis (``make system-deps``), fakeredis only as an announced fallback."""

from __future__ import annotations

import shutil
import socket

import pytest

from local.emulators import redis_server
from local.emulators.ports import Ports
from local.emulators.redis_server import SERVERS, Redis


def _info(port: int) -> str:
    """``INFO server`` over the Redis protocol (a bulk string: ``$<length>\\r\\n<text>\\r\\n``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
        data = b""
        while b"\r\n" not in data:
            data += s.recv(65536)
        header, _, body = data.partition(b"\r\n")
        assert header.startswith(b"$"), data
        while len(body) < int(header[1:]):
            body += s.recv(65536)
        return body.decode(errors="replace")


@pytest.fixture
def cache(tmp_path):
    server = Redis(Ports(None).take("cache"), tmp_path)
    yield server
    server.stop()


def test_the_cache_is_a_real_server_from_debian(cache):
    # `make test` runs `make system-deps` first, which installs one: its absence is a failure, not a skip
    installed = [name for name in SERVERS if shutil.which(name)]
    assert installed, f"none of {SERVERS} on PATH: run `make system-deps`"
    kind = cache.start()
    assert kind.startswith(installed[0]) and not cache.embedded
    assert cache.process is not None and cache.process.poll() is None
    info = _info(cache.port)
    assert "redis_version:" in info and "fakeredis" not in info.lower()
    assert f"tcp_port:{cache.port}" in info


def test_without_a_server_the_embedded_stand_in_says_so(cache, monkeypatch):
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    kind = cache.start()
    assert cache.embedded and cache.process is None
    assert "fakeredis" in kind and "fallback" in kind
    with socket.create_connection(("127.0.0.1", cache.port), timeout=5) as s:
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        assert s.recv(64) == b"+PONG\r\n"
