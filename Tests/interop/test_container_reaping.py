"""The server removes empty containers that once had children and TTL nodes whose TTL has passed, on its
container-check interval (shortened here to 500 ms; ZooKeeper reads it as a JVM property, Aviary from zoo.cfg)."""
import time

import pytest

import harness
import rawzk

CHECK_MS = 500


@pytest.fixture(scope="module")
def server():
    s = harness.start(extra_config={
        "tickTime": "200", "extendedTypesEnabled": "true", "znode.container.checkIntervalMs": str(CHECK_MS)})
    yield s
    s.stop()


@pytest.fixture
def raw(server):
    c = rawzk.RawClient(server.host, server.port)
    yield c
    c.close()


def wait_gone(client, path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.exists(path) is None:
            return True
        time.sleep(0.1)
    return False


def test_emptied_container_is_reaped(raw):
    raw.create("/reap-c", flags=rawzk.CONTAINER)
    raw.create("/reap-c/child")
    raw.delete("/reap-c/child")
    assert wait_gone(raw, "/reap-c")


def test_container_that_never_had_children_stays(raw):
    raw.create("/keep-c", flags=rawzk.CONTAINER)
    time.sleep(CHECK_MS * 3 / 1000)
    assert raw.exists("/keep-c") is not None


def test_container_with_children_stays(raw):
    raw.create("/busy-c", flags=rawzk.CONTAINER)
    raw.create("/busy-c/a")
    time.sleep(CHECK_MS * 3 / 1000)
    assert raw.exists("/busy-c/a") is not None


def test_expired_ttl_node_is_reaped(raw):
    raw.create("/reap-t", b"x", flags=rawzk.PERSISTENT_WITH_TTL, ttl=200)
    assert wait_gone(raw, "/reap-t")


def test_ttl_node_with_children_stays(raw):
    raw.create("/busy-t", flags=rawzk.PERSISTENT_WITH_TTL, ttl=200)
    raw.create("/busy-t/a")
    time.sleep(CHECK_MS * 3 / 1000)
    assert raw.exists("/busy-t") is not None


def test_reaping_fires_watches(raw, server):
    watcher = rawzk.RawClient(server.host, server.port)
    try:
        raw.create("/watch-c", flags=rawzk.CONTAINER)
        raw.create("/watch-c/x")
        raw.delete("/watch-c/x")
        watcher.exists("/watch-c", watch=True)
        assert wait_gone(raw, "/watch-c")
        event = watcher.next_event(timeout=5)
        assert (event.type, event.path) == (2, "/watch-c")
    finally:
        watcher.close()
