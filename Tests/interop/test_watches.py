"""One-shot watches: which operation fires which event, exactly once, in order, and before the new data."""
import threading

from kazoo.protocol.states import EventType, KeeperState, WatchedEvent

import rawzk
from rawzk import (EVENT_NODE_CHILDREN_CHANGED as CHILDREN, EVENT_NODE_CREATED as CREATED,
                   EVENT_NODE_DATA_CHANGED as CHANGED, EVENT_NODE_DELETED as DELETED)


def events(raw):
    return [(e.type, e.path) for e in raw.drain_events()]


def test_exists_watch_on_missing_node_fires_created(clients, zpath):
    w, m = clients.raw(), clients.raw()
    assert w.exists(zpath + "/n", watch=True) is None
    m.create(zpath + "/n")
    assert events(w) == [(CREATED, zpath + "/n")]
    m.set_data(zpath + "/n", b"x")
    assert events(w) == []


def test_data_watch_fires_once_on_change(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/n")
    w.get_data(zpath + "/n", watch=True)
    m.set_data(zpath + "/n", b"1")
    m.set_data(zpath + "/n", b"2")
    assert events(w) == [(CHANGED, zpath + "/n")]


def test_setting_identical_data_still_fires(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/n", b"same")
    w.get_data(zpath + "/n", watch=True)
    m.set_data(zpath + "/n", b"same")
    assert events(w) == [(CHANGED, zpath + "/n")]


def test_data_and_exists_watches_fire_deleted(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/a")
    m.create(zpath + "/b")
    w.get_data(zpath + "/a", watch=True)
    w.exists(zpath + "/b", watch=True)
    m.delete(zpath + "/a")
    m.delete(zpath + "/b")
    assert events(w) == [(DELETED, zpath + "/a"), (DELETED, zpath + "/b")]


def test_failed_writes_fire_nothing(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/n")
    m.create(zpath + "/n/c")
    w.get_data(zpath + "/n", watch=True)
    w.get_children(zpath + "/n", watch=True)
    for op in (lambda: m.set_data(zpath + "/n", b"", 9), lambda: m.delete(zpath + "/n"),
               lambda: m.create(zpath + "/n/c"), lambda: m.delete(zpath + "/n/c", 4)):
        try:
            op()
        except rawzk.ServerError:
            pass
    assert events(w) == []


def test_child_watch(clients, zpath):
    w, m = clients.raw(), clients.raw()
    assert w.get_children(zpath, watch=True) == []
    m.set_data(zpath, b"parent data")               # not a child change
    m.create(zpath + "/c")
    assert events(w) == [(CHILDREN, zpath)]
    w.get_children(zpath, watch=True)
    m.create(zpath + "/c/grandchild")              # below a child: not a child change of zpath
    m.set_data(zpath + "/c", b"x")
    assert events(w) == []
    m.delete(zpath + "/c/grandchild")
    m.delete(zpath + "/c")
    assert events(w) == [(CHILDREN, zpath)]
    w.get_children(zpath, watch=True)
    m.delete(zpath)
    assert events(w) == [(DELETED, zpath)]


def test_several_watches_on_one_path_fire_one_event(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.exists(zpath, watch=True)
    w.get_data(zpath, watch=True)
    w.get_children(zpath, watch=True)
    m.set_data(zpath, b"x")
    assert events(w) == [(CHANGED, zpath)]
    m.create(zpath + "/c")                          # the child watch is still armed
    assert events(w) == [(CHILDREN, zpath)]


def test_each_session_gets_its_own_event(clients, zpath):
    watchers = [clients.raw() for _ in range(3)]
    m = clients.raw()
    for w in watchers:
        w.get_data(zpath, watch=True)
    m.set_data(zpath, b"x")
    for w in watchers:
        assert events(w) == [(CHANGED, zpath)]


def test_delete_fires_node_and_parent_watches(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/c")
    w.get_children(zpath, watch=True)
    w.get_data(zpath + "/c", watch=True)
    m.delete(zpath + "/c")
    assert sorted(events(w)) == [(DELETED, zpath + "/c"), (CHILDREN, zpath)]


def test_session_close_fires_watches_on_its_ephemerals(clients, zpath):
    w, owner = clients.raw(), clients.raw()
    owner.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    w.exists(zpath + "/e", watch=True)
    w.get_children(zpath, watch=True)
    owner.close()
    assert sorted(events(w)) == [(DELETED, zpath + "/e"), (CHILDREN, zpath)]


def test_multi_fires_watches_of_every_op(clients, zpath):
    w, m = clients.raw(), clients.raw()
    m.create(zpath + "/a")
    m.create(zpath + "/b")
    for p in ("/a", "/b"):
        w.get_data(zpath + p, watch=True)
    w.exists(zpath + "/c", watch=True)
    err, _, _ = m.multi([(rawzk.OP_SET_DATA, rawzk.op_set_data(zpath + "/a", b"1")),
                         (rawzk.OP_DELETE, rawzk.op_delete(zpath + "/b")),
                         (rawzk.OP_CREATE, rawzk.op_create(zpath + "/c"))])
    assert err == 0
    assert sorted(events(w)) == [(CREATED, zpath + "/c"), (DELETED, zpath + "/b"), (CHANGED, zpath + "/a")]


def test_notification_wire_format(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.get_data(zpath, watch=True)
    m.set_data(zpath, b"x")
    ev = w.next_event(5)
    assert ev is not None
    assert (ev.type, ev.state, ev.path) == (CHANGED, 3, zpath)   # state 3 = SyncConnected
    # ZooKeeper 3.8 puts -1 in the notification's ReplyHeader.zxid (3.9 sends the txn's zxid).
    assert ev.zxid == -1


def test_event_arrives_before_the_new_data(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.get_data(zpath, watch=True)
    m.set_data(zpath, b"new")
    reply = w.call(rawzk.OP_GET_DATA, rawzk.op_path_watch(zpath))
    assert rawzk.Reader(reply.body).buffer() == b"new"
    ev = w.next_event(5)
    assert ev is not None and ev.seq < reply.seq


def test_event_precedes_new_data_under_concurrent_reads(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.get_data(zpath, watch=True)
    writer = threading.Thread(target=lambda: m.set_data(zpath, b"new"))
    first_new = None
    writer.start()
    try:
        for _ in range(2000):
            reply = w.call(rawzk.OP_GET_DATA, rawzk.op_path_watch(zpath))
            if rawzk.Reader(reply.body).buffer() == b"new":
                first_new = reply
                break
    finally:
        writer.join(10)
    assert first_new is not None, "the write never became visible"
    ev = w.next_event(5)
    assert ev is not None and ev.seq < first_new.seq


def test_events_arrive_in_zxid_order(clients, zpath):
    w, m = clients.raw(), clients.raw()
    names = [f"{zpath}/n{i:02d}" for i in range(20)]
    order = [names[i] for i in (7, 3, 19, 0, 12, 5, 18, 1, 9, 14, 2, 16, 11, 4, 8, 17, 6, 13, 10, 15)]
    for name in names:
        w.exists(name, watch=True)
    for name in order:
        m.create(name)
    assert events(w) == [(CREATED, name) for name in order]


def test_kazoo_watch_callbacks(make_client, client, zpath):
    seen = []
    fired = threading.Event()

    def watcher(event):
        seen.append(event)
        fired.set()

    client.create(zpath + "/k", b"v")
    client.get(zpath + "/k", watch=watcher)
    make_client().set(zpath + "/k", b"w")
    assert fired.wait(5)
    assert seen == [WatchedEvent(EventType.CHANGED, KeeperState.CONNECTED, zpath + "/k")]
