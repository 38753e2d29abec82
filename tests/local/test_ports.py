"""Local mode's own ports never come from the range the OS hands to bind(0)."""

import socket

import pytest

from local.emulators.ports import AUTO_PORTS, Ports, ServiceError


def test_auto_ports_are_distinct_and_below_the_ephemeral_range():
    ports = Ports()
    taken = [ports.take("test") for _ in range(50)]
    assert len(set(taken)) == 50
    assert all(AUTO_PORTS.start <= port < AUTO_PORTS.stop for port in taken)


def test_a_port_in_use_is_skipped():
    ports = Ports()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports._next))
        busy.listen()
        assert ports.take("test") != busy.getsockname()[1]


def test_a_base_port_in_use_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ServiceError, match=r"port \d+ \(for gateway\) is already in use"):
            Ports(busy.getsockname()[1]).take("gateway")
