"""Sessions: timeout negotiation, expiry, re-attaching, closeSession, the handshake's wire form, and the
session-scoped requests (getEphemerals, getAllChildrenNumber, sync). Runs with tickTime=200 so expiry is quick."""
import socket
import threading
import time

import pytest
from kazoo.protocol.states import KazooState

import harness
import rawzk
from conftest import wait_until
from proxy import Proxy

TICK_MS = 200
SERVER_CONFIG = {"tickTime": str(TICK_MS)}


def connect_socket(server):
    return socket.create_connection((harness.HOST, server.port), timeout=5)


@pytest.mark.parametrize("requested, negotiated", [
    (1, 2 * TICK_MS), (2 * TICK_MS - 1, 2 * TICK_MS), (2 * TICK_MS, 2 * TICK_MS), (2 * TICK_MS + 1, 2 * TICK_MS + 1),
    (1234, 1234), (20 * TICK_MS, 20 * TICK_MS), (20 * TICK_MS + 1, 20 * TICK_MS), (600_000, 20 * TICK_MS),
    (0, 2 * TICK_MS), (-5, 2 * TICK_MS),
])
def test_negotiated_timeout_is_clamped_to_tick_bounds(server, requested, negotiated):
    with connect_socket(server) as s:
        resp = rawzk.handshake(s, timeout_ms=requested)
        assert resp.timeout == negotiated
        assert resp.session_id != 0 and len(resp.passwd) == 16
        s.sendall(rawzk.request(1, rawzk.OP_CLOSE_SESSION))


def test_handshake_wire_form(server):
    with connect_socket(server) as s:
        s.sendall(rawzk.frame(rawzk.connect_request()))
        payload = rawzk.read_frame(s)
        assert len(payload) == 37                     # protocolVersion, timeOut, sessionId, passwd(16), readOnly
        resp = rawzk.parse_connect_response(payload)
        assert (resp.protocol_version, resp.read_only) == (0, False)
        # Ping: header only both ways; the reply carries xid -2 and err 0.
        s.sendall(rawzk.request(rawzk.XID_PING, rawzk.OP_PING))
        reply = rawzk.Reader(rawzk.read_frame(s))
        assert (reply.int(), reply.long() >= 0, reply.int(), reply.remaining()) == (rawzk.XID_PING, True, 0, 0)
        s.sendall(rawzk.request(1, rawzk.OP_CLOSE_SESSION))


def test_handshake_without_read_only_byte(server):
    # Pre-3.4 clients omit the readOnly byte; the server then omits it from its reply.
    with connect_socket(server) as s:
        s.sendall(rawzk.frame(rawzk.connect_request()[:-1]))
        payload = rawzk.read_frame(s)
        assert len(payload) == 36
        assert rawzk.parse_connect_response(payload).timeout > 0
        s.sendall(rawzk.request(1, rawzk.OP_CLOSE_SESSION))


def test_sessions_get_distinct_ids(clients):
    a, b = clients.raw(), clients.raw()
    assert a.session_id != b.session_id
    assert a.passwd != b.passwd


def test_client_ahead_of_server_is_refused(server):
    with connect_socket(server) as s:
        s.sendall(rawzk.frame(rawzk.connect_request(last_zxid=1 << 60)))
        assert rawzk.wait_closed(s, 5)


def test_reattach_with_id_and_password(clients, zpath):
    first = clients.raw(timeout_ms=2000)
    first.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    second = clients.raw(session_id=first.session_id, passwd=first.passwd, timeout_ms=1000)
    assert second.session_id == first.session_id
    assert second.passwd == first.passwd
    assert second.negotiated_timeout == 1000            # renegotiated on every connect
    # The server closes the session's previous connection.
    assert first.closed.wait(5)
    assert second.exists(zpath + "/e").ephemeralOwner == first.session_id
    assert second.get_ephemerals(zpath) == [zpath + "/e"]


def test_kazoo_reattaches_with_client_id(clients, zpath):
    first = clients.raw()
    first.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    first.drop()                                        # connection gone, session alive
    second = clients.kazoo(client_id=(first.session_id, first.passwd))
    assert second.client_id == (first.session_id, first.passwd)
    assert second.exists(zpath + "/e").ephemeralOwner == first.session_id
    _, stat = second.create(zpath + "/e2", ephemeral=True, include_data=True)
    assert stat.ephemeralOwner == first.session_id
    second.stop()
    assert clients.raw().get_children(zpath) == []


def test_wrong_password_is_rejected(server, clients, zpath):
    live = clients.raw()
    live.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    with connect_socket(server) as s:
        resp = rawzk.handshake(s, session_id=live.session_id, passwd=bytes(16))
        assert (resp.timeout, resp.session_id, resp.passwd) == (0, 0, bytes(16))
        assert rawzk.wait_closed(s, 5)
    # ZooKeeper 3.8 closes the session's current connection before it checks the password...
    assert live.closed.wait(5)
    # ...but the session itself survives and the right password re-attaches to it.
    again = clients.raw(session_id=live.session_id, passwd=live.passwd)
    assert again.exists(zpath + "/e").ephemeralOwner == live.session_id


def test_close_session_deletes_ephemerals_at_once(server, clients, zpath):
    owner, observer = clients.raw(), clients.raw()
    owner.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    owner.create(zpath + "/s-", flags=rawzk.EPHEMERAL_SEQUENTIAL)
    observer.exists(zpath + "/e", watch=True)
    reply = owner.call(rawzk.OP_CLOSE_SESSION)
    assert (reply.err, reply.body) == (0, b"")
    assert reply.zxid == owner.last_zxid                 # closeSession is a transaction
    assert observer.get_children(zpath) == []
    ev = observer.next_event(5)
    assert (ev.type, ev.path) == (rawzk.EVENT_NODE_DELETED, zpath + "/e")
    assert owner.closed.wait(5), "server kept the connection open after closeSession"
    with connect_socket(server) as s:
        assert rawzk.handshake(s, session_id=owner.session_id, passwd=owner.passwd).timeout == 0


def test_pings_keep_a_session_alive(clients, zpath):
    c = clients.raw(timeout_ms=1000)
    c.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    time.sleep(2.5 * c.negotiated_timeout / 1000)
    assert not c.closed.is_set()
    assert c.exists(zpath + "/e") is not None


def test_silent_session_expires(server, clients, zpath):
    c = clients.raw(timeout_ms=1000, ping=False)
    c.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    started = time.monotonic()
    observer = clients.raw()
    observer.exists(zpath + "/e", watch=True)
    ev = observer.next_event(10)
    elapsed = time.monotonic() - started
    assert ev is not None and (ev.type, ev.path) == (rawzk.EVENT_NODE_DELETED, zpath + "/e")
    assert 0.5 < elapsed < 5, elapsed
    assert c.closed.wait(5), "server kept the expired session's connection open"
    with connect_socket(server) as s:
        resp = rawzk.handshake(s, session_id=c.session_id, passwd=c.passwd)
        assert (resp.timeout, resp.session_id, resp.passwd) == (0, 0, bytes(16))
        assert rawzk.wait_closed(s, 5)


def test_kazoo_session_expires_behind_a_frozen_network(server, make_client, zpath):
    proxy = Proxy(server.port)
    try:
        victim = make_client(hosts=proxy.connect_string, timeout=1.0)
        observer = make_client()
        states = []
        lost = threading.Event()

        def listener(state):
            states.append(state)
            if state == KazooState.LOST:
                lost.set()

        victim.add_listener(listener)
        old_session = victim.client_id[0]
        victim.create(zpath + "/e", ephemeral=True)
        gone = threading.Event()
        observer.exists(zpath + "/e", watch=lambda event: gone.set())
        proxy.freeze()
        assert gone.wait(10), "ephemeral of the silent session was not deleted"
        assert observer.exists(zpath + "/e") is None
        proxy.thaw()
        assert lost.wait(10), states
        assert states[0] == KazooState.SUSPENDED
        # kazoo then starts a fresh session.
        wait_until(lambda: victim.connected and victim.client_id and victim.client_id[0] != old_session, 10,
                   message="a new session")
    finally:
        proxy.close()


# ------------------------------------------------------------------------------------- session-scoped requests
def test_get_ephemerals(clients, zpath):
    a, b = clients.raw(), clients.raw()
    a.create(zpath + "/dir")
    for name in ("/e1", "/e2", "/ex", "/dir/e3"):
        a.create(zpath + name, flags=rawzk.EPHEMERAL)
    b.create(zpath + "/theirs", flags=rawzk.EPHEMERAL)
    mine = {zpath + n for n in ("/e1", "/e2", "/ex", "/dir/e3")}
    assert set(a.get_ephemerals(zpath)) == mine
    assert set(a.get_ephemerals("/")) >= mine and zpath + "/theirs" not in a.get_ephemerals("/")
    # The prefix is matched as a string, not as a path.
    assert set(a.get_ephemerals(zpath + "/e")) == {zpath + "/e1", zpath + "/e2", zpath + "/ex"}
    assert a.get_ephemerals(zpath + "/e1") == [zpath + "/e1"]
    assert a.get_ephemerals(zpath + "/nothing") == []
    assert b.get_ephemerals(zpath) == [zpath + "/theirs"]


def test_get_all_children_number(raw, zpath):
    raw.create(zpath + "/a")
    raw.create(zpath + "/a/b")
    raw.create(zpath + "/a/b/c")
    raw.create(zpath + "/d", flags=rawzk.EPHEMERAL)
    assert raw.get_all_children_number(zpath) == 4
    assert raw.get_all_children_number(zpath + "/a/b/c") == 0
    with pytest.raises(rawzk.ServerError) as missing:
        raw.get_all_children_number(zpath + "/nope")
    assert missing.value.err == rawzk.NO_NODE


def test_sync(client, raw, zpath):
    assert client.sync(zpath) == zpath
    # sync echoes the path without checking it.
    assert raw.sync(zpath + "/missing") == zpath + "/missing"
