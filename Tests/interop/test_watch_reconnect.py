"""Watches across a reconnect: the client re-attaches its session through a proxy and re-arms its watches with
setWatches / setWatches2; the server fires, exactly once, the events the client missed while disconnected."""
import threading

import pytest
from kazoo.protocol.states import KazooState

import rawzk
from conftest import wait_until
from proxy import Proxy
from rawzk import (EVENT_NODE_CHILDREN_CHANGED as CHILDREN, EVENT_NODE_CREATED as CREATED,
                   EVENT_NODE_DATA_CHANGED as CHANGED, EVENT_NODE_DELETED as DELETED)


@pytest.fixture
def proxy(server):
    p = Proxy(server.port)
    yield p
    p.close()


def events(raw):
    return [(e.type, e.path) for e in raw.drain_events()]


def reconnect(clients, proxy, old):
    """Cut the proxied connection of `old` and return a RawClient re-attached to the same session."""
    proxy.cut()
    assert old.closed.wait(5), "the client did not notice the cut"
    return old, clients.raw(port=proxy.port, session_id=old.session_id, passwd=old.passwd,
                            last_zxid=old.last_zxid)


def test_missed_changes_fire_once_after_set_watches(clients, proxy, zpath):
    m = clients.raw()
    for name in ("/a", "/gone", "/quiet"):
        m.create(zpath + name)
    w = clients.raw(port=proxy.port)
    w.get_data(zpath + "/a", watch=True)
    w.get_data(zpath + "/gone", watch=True)
    w.get_data(zpath + "/quiet", watch=True)
    w.exists(zpath + "/missing", watch=True)
    w.get_children(zpath, watch=True)
    old, w2 = reconnect(clients, proxy, w)
    assert w2.session_id == old.session_id
    # Changes made while the watcher is disconnected.
    m.set_data(zpath + "/a", b"1")
    m.create(zpath + "/missing")
    m.delete(zpath + "/gone")
    m.create(zpath + "/newchild")
    w2.set_watches(old.last_zxid, data=[zpath + "/a", zpath + "/gone", zpath + "/quiet"],
                   exist=[zpath + "/missing"], child=[zpath])
    assert sorted(events(w2)) == sorted([(CHANGED, zpath + "/a"), (DELETED, zpath + "/gone"),
                                         (CREATED, zpath + "/missing"), (CHILDREN, zpath)])
    # Those watches are spent; the unchanged one was re-armed and fires once on the next change.
    m.set_data(zpath + "/a", b"2")
    m.create(zpath + "/another")
    m.set_data(zpath + "/quiet", b"now")
    m.set_data(zpath + "/quiet", b"again")
    assert events(w2) == [(CHANGED, zpath + "/quiet")]


def test_set_watches_without_missed_changes_rearms(clients, proxy, zpath):
    m = clients.raw()
    m.create(zpath + "/a")
    w = clients.raw(port=proxy.port)
    w.get_data(zpath + "/a", watch=True)
    w.exists(zpath + "/b", watch=True)
    old, w2 = reconnect(clients, proxy, w)
    w2.set_watches(old.last_zxid, data=[zpath + "/a"], exist=[zpath + "/b"])
    assert events(w2) == []
    m.set_data(zpath + "/a", b"x")
    m.create(zpath + "/b")
    assert events(w2) == [(CHANGED, zpath + "/a"), (CREATED, zpath + "/b")]


def test_set_watches2_restores_recursive_watch_without_replay(clients, proxy, zpath):
    m = clients.raw()
    w = clients.raw(port=proxy.port)
    w.add_watch(zpath, rawzk.ADD_WATCH_PERSISTENT_RECURSIVE)
    old, w2 = reconnect(clients, proxy, w)
    m.create(zpath + "/during")                     # missed, and not replayed for persistent watches
    w2.set_watches2(old.last_zxid, recursive=[zpath])
    assert events(w2) == []
    m.create(zpath + "/after")
    m.set_data(zpath + "/during", b"x")
    assert events(w2) == [(CREATED, zpath + "/after"), (CHANGED, zpath + "/during")]


def test_watches_are_not_carried_without_set_watches(clients, proxy, zpath):
    m = clients.raw()
    w = clients.raw(port=proxy.port)
    w.get_data(zpath, watch=True)
    _, w2 = reconnect(clients, proxy, w)
    m.set_data(zpath, b"x")
    assert events(w2) == []


def test_kazoo_keeps_its_session_across_a_cut(make_client, proxy, zpath):
    kz = make_client(hosts=proxy.connect_string)
    states = []
    reconnected = threading.Event()

    def listener(state):
        states.append(state)
        if state == KazooState.CONNECTED:
            reconnected.set()

    session = kz.client_id
    kz.create(zpath + "/eph", ephemeral=True)
    kz.add_listener(listener)
    proxy.cut()
    assert reconnected.wait(10), states
    assert states[0] == KazooState.SUSPENDED
    assert kz.client_id == session
    stat = wait_until(lambda: kz.exists(zpath + "/eph"), 5, message="ephemeral visible after reconnect")
    assert stat.ephemeralOwner == session[0]
