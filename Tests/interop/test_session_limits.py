"""Configured session limits: explicit minSessionTimeout/maxSessionTimeout, and maxClientCnxns per client address."""
import socket

import pytest

import harness
import rawzk
from conftest import start_server, wait_until

# minSessionTimeout below 2*tickTime and maxSessionTimeout above 20*tickTime: explicit values win both ways.
BOUNDED_CONFIG = {"tickTime": "200", "minSessionTimeout": "300", "maxSessionTimeout": "5000"}
LIMITED_CONFIG = {"maxClientCnxns": "2"}


@pytest.fixture(scope="module")
def bounded_server():
    srv = start_server(BOUNDED_CONFIG)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def limited_server():
    srv = start_server(LIMITED_CONFIG)
    yield srv
    srv.stop()


def connect(server):
    return socket.create_connection((harness.HOST, server.port), timeout=5)


@pytest.mark.parametrize("requested, negotiated", [
    (100, 300), (299, 300), (300, 300), (350, 350), (4500, 4500), (5000, 5000), (5001, 5000), (90_000, 5000),
])
def test_explicit_session_timeout_bounds(bounded_server, requested, negotiated):
    with connect(bounded_server) as s:
        assert rawzk.handshake(s, timeout_ms=requested).timeout == negotiated
        s.sendall(rawzk.request(1, rawzk.OP_CLOSE_SESSION))


def test_conf_reports_the_bounds(bounded_server):
    conf = harness.four_letter_word(bounded_server.port, "conf")
    lines = set(conf.splitlines())
    assert {"tickTime=200", "minSessionTimeout=300", "maxSessionTimeout=5000"} <= lines


def _try_handshake(server):
    """A connected socket whose handshake succeeded, or None if the server closed the connection."""
    try:
        s = connect(server)
    except OSError:       # a refused connection can surface as an error from connect() itself
        return None
    try:
        if rawzk.handshake(s).timeout > 0:
            return s
    except (rawzk.ConnectionClosed, OSError):
        pass
    s.close()
    return None


def test_max_client_cnxns_per_address(limited_server):
    held = []
    try:
        # Earlier connections (the harness's readiness probes) may take a moment to be released.
        held.append(wait_until(lambda: _try_handshake(limited_server), 10, message="first connection"))
        held.append(wait_until(lambda: _try_handshake(limited_server), 10, message="second connection"))
        # The third connection from the same address is closed without any reply...
        assert _try_handshake(limited_server) is None
        # ...and so is a four-letter word: it counts as a connection too.
        try:
            assert harness.four_letter_word(limited_server.port, "ruok") == ""
        except (BrokenPipeError, ConnectionResetError):
            pass                                        # refused so early that connect() itself reported it
        # The two admitted connections keep working.
        for s in held[:2]:
            s.sendall(rawzk.request(1, rawzk.OP_EXISTS, rawzk.op_path_watch("/")))
            reader = rawzk.Reader(rawzk.read_frame(s))
            assert (reader.int(), reader.long() > 0, reader.int()) == (1, True, 0)
        # Closing one frees a slot.
        held[0].sendall(rawzk.request(2, rawzk.OP_CLOSE_SESSION))
        held[0].close()
        held.append(wait_until(lambda: _try_handshake(limited_server), 10, message="a freed slot"))
    finally:
        for s in held:
            s.close()
