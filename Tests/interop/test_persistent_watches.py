"""Persistent and persistent-recursive watches (addWatch), and checkWatches/removeWatches.

kazoo 2.11 has no add_watch/remove_watches, so these tests use the raw client.
Asserts ZooKeeper 3.8 behaviour where 3.9 differs (each such place says so).
"""
import pytest

import rawzk
from rawzk import (ADD_WATCH_PERSISTENT as PERSISTENT, ADD_WATCH_PERSISTENT_RECURSIVE as RECURSIVE,
                   EVENT_NODE_CHILDREN_CHANGED as CHILDREN, EVENT_NODE_CREATED as CREATED,
                   EVENT_NODE_DATA_CHANGED as CHANGED, EVENT_NODE_DELETED as DELETED,
                   WATCHER_ANY, WATCHER_CHILDREN, WATCHER_DATA)


def events(raw):
    return [(e.type, e.path) for e in raw.drain_events()]


err_of = rawzk.error_of


def churn(m, base):
    """A fixed sequence of changes on and below base (base exists at start and at the end)."""
    m.set_data(base, b"a")
    m.create(base + "/x")
    m.set_data(base + "/x", b"b")
    m.create(base + "/x/y")
    m.delete(base + "/x/y")
    m.delete(base + "/x")
    m.create(base + "-sibling")      # shares the prefix as a string, not as a path
    m.delete(base)
    m.create(base)


def test_persistent_watch_sees_node_and_child_list_events(clients, zpath):
    w, m = clients.raw(), clients.raw()
    base = zpath + "/w"
    m.create(base)
    w.add_watch(base, PERSISTENT)
    churn(m, base)
    assert events(w) == [(CHANGED, base), (CHILDREN, base), (CHILDREN, base), (DELETED, base), (CREATED, base)]
    m.set_data(base, b"again")                       # still armed after firing
    assert events(w) == [(CHANGED, base)]


def test_recursive_watch_sees_subtree_without_children_events(clients, zpath):
    w, m = clients.raw(), clients.raw()
    base = zpath + "/w"
    m.create(base)
    w.add_watch(base, RECURSIVE)
    churn(m, base)
    # ZooKeeper 3.8 never sends NodeChildrenChanged to a persistent-recursive watch (3.9 does, ZOOKEEPER-4475).
    assert events(w) == [
        (CHANGED, base), (CREATED, base + "/x"), (CHANGED, base + "/x"), (CREATED, base + "/x/y"),
        (DELETED, base + "/x/y"), (DELETED, base + "/x"), (DELETED, base), (CREATED, base),
    ]


def test_add_watch_on_missing_path(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath + "/later", PERSISTENT)
    m.create(zpath + "/later")
    m.create(zpath + "/later/c")
    assert events(w) == [(CREATED, zpath + "/later"), (CHILDREN, zpath + "/later")]


def test_add_watch_invalid_mode(raw, zpath):
    assert err_of(raw.add_watch, zpath, 2) == rawzk.MARSHALLING_ERROR


def test_second_add_watch_replaces_the_mode(clients, zpath):
    # ZooKeeper 3.8 keeps one mode per path and session: the later addWatch wins (3.9 keeps both, ZOOKEEPER-4466).
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath, PERSISTENT)
    w.add_watch(zpath, RECURSIVE)
    m.create(zpath + "/c")
    assert events(w) == [(CREATED, zpath + "/c")]


def test_one_shot_watch_on_a_persistent_path_makes_its_data_part_one_shot(clients, zpath):
    # ZooKeeper 3.8 behaviour (same cause as above): getData(watch) on a path holding a persistent watch
    # re-registers the data part as one-shot; the child part stays persistent.
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath, PERSISTENT)
    w.get_data(zpath, watch=True)
    m.set_data(zpath, b"1")
    assert events(w) == [(CHANGED, zpath)]
    m.set_data(zpath, b"2")
    m.create(zpath + "/c")
    assert events(w) == [(CHILDREN, zpath)]


def test_recursive_and_one_shot_watches_fire_one_event(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath, RECURSIVE)
    m.create(zpath + "/a")
    assert events(w) == [(CREATED, zpath + "/a")]
    w.get_data(zpath + "/a", watch=True)
    m.set_data(zpath + "/a", b"1")
    assert events(w) == [(CHANGED, zpath + "/a")]
    m.set_data(zpath + "/a", b"2")
    assert events(w) == [(CHANGED, zpath + "/a")]
    w.get_children(zpath, watch=True)
    m.create(zpath + "/b")
    assert sorted(events(w)) == [(CREATED, zpath + "/b"), (CHILDREN, zpath)]


def test_other_sessions_changes_only(clients, zpath):
    w, other = clients.raw(), clients.raw()
    w.add_watch(zpath, RECURSIVE)
    w.create(zpath + "/mine")                        # a session is notified of its own changes too
    assert events(w) == [(CREATED, zpath + "/mine")]
    assert events(other) == []


# ------------------------------------------------------------------------------------ checkWatches / removeWatches
def test_check_and_remove_one_shot_watches(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.get_data(zpath, watch=True)
    w.get_children(zpath, watch=True)
    for kind in (WATCHER_CHILDREN, WATCHER_DATA, WATCHER_ANY):
        assert err_of(w.check_watches, zpath, kind) == 0
    w.remove_watches(zpath, WATCHER_DATA)
    assert err_of(w.check_watches, zpath, WATCHER_DATA) == rawzk.NO_WATCHER
    assert err_of(w.check_watches, zpath, WATCHER_CHILDREN) == 0
    assert err_of(w.remove_watches, zpath, WATCHER_DATA) == rawzk.NO_WATCHER
    # The server sends no notification for a removal (client libraries synthesize DataWatchRemoved).
    assert events(w) == []
    m.set_data(zpath, b"x")
    m.create(zpath + "/c")
    assert events(w) == [(CHILDREN, zpath)]
    assert err_of(w.check_watches, zpath, WATCHER_ANY) == rawzk.NO_WATCHER


def test_exists_watch_on_missing_node_is_a_data_watch(raw, zpath):
    raw.exists(zpath + "/missing", watch=True)
    assert err_of(raw.check_watches, zpath + "/missing", WATCHER_DATA) == 0
    assert err_of(raw.check_watches, zpath + "/missing", WATCHER_CHILDREN) == rawzk.NO_WATCHER
    raw.remove_watches(zpath + "/missing", WATCHER_ANY)
    assert err_of(raw.check_watches, zpath + "/missing", WATCHER_ANY) == rawzk.NO_WATCHER


def test_no_watcher(raw, zpath):
    assert err_of(raw.check_watches, zpath, WATCHER_ANY) == rawzk.NO_WATCHER
    assert err_of(raw.remove_watches, zpath, WATCHER_ANY) == rawzk.NO_WATCHER
    assert err_of(raw.remove_watches, zpath + "/missing", WATCHER_ANY) == rawzk.NO_WATCHER


def test_remove_watches_is_per_session_but_check_watches_is_not(clients, zpath):
    w, other = clients.raw(), clients.raw()
    w.get_data(zpath, watch=True)
    # ZooKeeper 3.8: checkWatches succeeds if any session has a watch of that type on the path...
    assert err_of(other.check_watches, zpath, WATCHER_DATA) == 0
    assert err_of(other.check_watches, zpath, WATCHER_CHILDREN) == rawzk.NO_WATCHER
    # ...while removeWatches only removes (and only finds) the caller's own watches.
    assert err_of(other.remove_watches, zpath, WATCHER_DATA) == rawzk.NO_WATCHER
    other.set_data(zpath, b"x")
    assert events(w) == [(CHANGED, zpath)]


@pytest.mark.parametrize("kind", [0, 4, 5, 9])
def test_unknown_watcher_type(raw, zpath, kind):
    # ZooKeeper 3.8 knows WatcherType 1-3 only; 4 (Persistent) and 5 (PersistentRecursive) arrive in 3.9.
    raw.get_data(zpath, watch=True)
    assert err_of(raw.check_watches, zpath, kind) == rawzk.MARSHALLING_ERROR
    assert err_of(raw.remove_watches, zpath, kind) == rawzk.MARSHALLING_ERROR


def test_remove_persistent_watch(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath, PERSISTENT)
    for kind in (WATCHER_CHILDREN, WATCHER_DATA, WATCHER_ANY):
        assert err_of(w.check_watches, zpath, kind) == 0
    # A persistent watch has a data part and a child part; removing Data leaves the child part.
    w.remove_watches(zpath, WATCHER_DATA)
    m.set_data(zpath, b"1")
    m.create(zpath + "/c")
    assert events(w) == [(CHILDREN, zpath)]
    w.remove_watches(zpath, WATCHER_CHILDREN)
    m.create(zpath + "/d")
    assert events(w) == []
    assert err_of(w.remove_watches, zpath, WATCHER_ANY) == rawzk.NO_WATCHER


def test_remove_recursive_watch_with_any(clients, zpath):
    w, m = clients.raw(), clients.raw()
    w.add_watch(zpath, RECURSIVE)
    assert err_of(w.check_watches, zpath, WATCHER_ANY) == 0
    assert err_of(w.check_watches, zpath + "/below", WATCHER_ANY) == rawzk.NO_WATCHER
    w.remove_watches(zpath, WATCHER_ANY)
    m.create(zpath + "/c")
    m.set_data(zpath, b"x")
    assert events(w) == []
