"""TTL and container nodes on a server with extended types enabled: creation, encoding, argument checks.

Reaping is covered by test_container_reaping.py. The TTL-disabled case (UNIMPLEMENTED) lives in test_nodes.py,
which runs on a default server.
"""
import pytest

import rawzk

SERVER_CONFIG = {"extendedTypesEnabled": "true"}
MAX_TTL_MS = 0xFF_FFFF_FFFF


err_of = rawzk.error_of


def test_create_ttl_node(raw, zpath):
    path, stat = raw.create(zpath + "/t", b"data", flags=rawzk.PERSISTENT_WITH_TTL, ttl=60_000)
    assert path == zpath + "/t"
    assert stat.czxid == stat.mzxid == stat.pzxid == raw.last_zxid
    assert (stat.version, stat.cversion, stat.aversion, stat.dataLength) == (0, 0, 0, 4)
    # The TTL is encoded in the stored ephemeralOwner, which clients always see as 0.
    assert stat.ephemeralOwner == 0
    assert raw.get_data(path) == (b"data", stat)
    raw.create(path + "/child")
    assert raw.exists(path).numChildren == 1


def test_ttl_sequential_uses_parent_counter(raw, zpath):
    raw.create(zpath + "/plain")
    path, _ = raw.create(zpath + "/s-", flags=rawzk.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl=60_000)
    assert path == zpath + "/s-0000000001"


def test_ttl_bounds(raw, zpath):
    assert raw.create(zpath + "/max", flags=rawzk.PERSISTENT_WITH_TTL, ttl=MAX_TTL_MS)[0] == zpath + "/max"
    assert raw.create(zpath + "/one", flags=rawzk.PERSISTENT_WITH_TTL, ttl=1)[0] == zpath + "/one"
    for ttl in (0, -1, MAX_TTL_MS + 1):
        assert err_of(raw.create, zpath + "/bad", flags=rawzk.PERSISTENT_WITH_TTL, ttl=ttl) == rawzk.BAD_ARGUMENTS
    assert raw.exists(zpath + "/bad") is None


@pytest.mark.parametrize("flags", [rawzk.PERSISTENT, rawzk.EPHEMERAL, rawzk.PERSISTENT_SEQUENTIAL,
                                   rawzk.EPHEMERAL_SEQUENTIAL, rawzk.CONTAINER])
def test_create_ttl_opcode_needs_a_ttl_mode(raw, zpath, flags):
    assert err_of(raw.create, zpath + "/x", flags=flags, ttl=1000) == rawzk.BAD_ARGUMENTS


@pytest.mark.parametrize("op", [rawzk.OP_CREATE, rawzk.OP_CREATE2])
def test_ttl_mode_needs_the_create_ttl_opcode(raw, zpath, op):
    assert err_of(raw.create, zpath + "/x", flags=rawzk.PERSISTENT_WITH_TTL, op=op) == rawzk.BAD_ARGUMENTS


def test_ttl_and_container_under_ephemeral(raw, zpath):
    raw.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    assert err_of(raw.create, zpath + "/e/t", flags=rawzk.PERSISTENT_WITH_TTL, ttl=1000) == \
        rawzk.NO_CHILDREN_FOR_EPHEMERALS
    assert err_of(raw.create, zpath + "/e/c", flags=rawzk.CONTAINER) == rawzk.NO_CHILDREN_FOR_EPHEMERALS


def test_create_container(raw, zpath):
    path, stat = raw.create(zpath + "/c", b"x", flags=rawzk.CONTAINER)
    assert path == zpath + "/c"
    assert stat.czxid == raw.last_zxid
    assert (stat.ephemeralOwner, stat.dataLength, stat.numChildren) == (0, 1, 0)
    assert err_of(raw.create, path, flags=rawzk.CONTAINER) == rawzk.NODE_EXISTS
    raw.create(path + "/a")
    raw.delete(path + "/a")
    # Without reaping a container is an ordinary node: still there after its last child left.
    assert raw.exists(path).cversion == 2


def test_ttl_and_container_in_multi(raw, zpath):
    err, zxid, results = raw.multi([
        (rawzk.OP_CREATE_CONTAINER, rawzk.op_create(zpath + "/c", flags=rawzk.CONTAINER)),
        (rawzk.OP_CREATE_TTL, rawzk.op_create(zpath + "/t", flags=rawzk.PERSISTENT_WITH_TTL, ttl=5000)),
    ])
    assert err == 0
    # Both answer with a create2-style result (path + Stat).
    assert [(r.type, r.err) for r in results] == [(rawzk.OP_CREATE2, 0), (rawzk.OP_CREATE2, 0)]
    for r, name in zip(results, ("/c", "/t")):
        reader = rawzk.Reader(r.body)
        assert reader.string() == zpath + name
        assert reader.stat().czxid == zxid
