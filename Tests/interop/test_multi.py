"""multi (transactions) and multiRead: atomicity, per-op results, check, one zxid per transaction."""
import pytest
from kazoo import exceptions as ke

import rawzk
from rawzk import OP_CHECK, OP_CREATE, OP_CREATE2, OP_DELETE, OP_GET_CHILDREN, OP_GET_DATA, OP_SET_DATA


def test_transaction_applies_all_ops_with_one_zxid(client, zpath):
    client.create(zpath + "/a", b"1")
    t = client.transaction()
    t.create(zpath + "/b", b"x")
    t.set_data(zpath + "/a", b"2")
    t.check(zpath + "/a", 1)
    t.create(zpath + "/s-", sequence=True)
    t.create(zpath + "/s-", sequence=True)
    t.delete(zpath + "/b")
    results = t.commit()
    assert results[0] == zpath + "/b"
    assert results[1].version == 1
    assert results[2:] == [True, zpath + "/s-0000000002", zpath + "/s-0000000003", True]
    zxid = results[1].mzxid
    assert client.exists(zpath + "/s-0000000002").czxid == zxid
    assert client.exists(zpath + "/s-0000000003").czxid == zxid
    parent = client.exists(zpath)
    assert parent.pzxid == zxid
    assert client.exists(zpath + "/b") is None


def test_failed_transaction_applies_nothing(client, zpath):
    client.create(zpath + "/a", b"1")
    t = client.transaction()
    t.create(zpath + "/new")
    t.set_data(zpath + "/a", b"changed")
    t.set_data(zpath + "/a", b"again", version=5)
    t.create(zpath + "/later")
    t.delete(zpath + "/missing")
    results = t.commit()
    assert [type(r) for r in results] == [ke.RolledBackError, ke.RolledBackError, ke.BadVersionError,
                                          ke.RuntimeInconsistency, ke.RuntimeInconsistency]
    assert client.exists(zpath + "/new") is None
    assert client.exists(zpath + "/later") is None
    assert client.get(zpath + "/a")[0] == b"1"


def test_failed_multi_wire_results(raw, zpath):
    raw.create(zpath + "/a")
    before = raw.last_zxid
    err, zxid, results = raw.multi([
        (OP_CREATE, rawzk.op_create(zpath + "/x")),
        (OP_CHECK, rawzk.op_check(zpath + "/a", 3)),
        (OP_DELETE, rawzk.op_delete(zpath + "/missing")),
        (OP_SET_DATA, rawzk.op_set_data(zpath + "/a", b"")),
    ])
    # Every result is an ErrorResult (type -1): 0 before the failure, the failure's code, then
    # RUNTIMEINCONSISTENCY. ZooKeeper 3.8 leaves ReplyHeader.err at 0 and spends one zxid on the failure.
    assert [(r.type, r.err) for r in results] == [(-1, 0), (-1, rawzk.BAD_VERSION),
                                                  (-1, rawzk.RUNTIME_INCONSISTENCY),
                                                  (-1, rawzk.RUNTIME_INCONSISTENCY)]
    assert err == 0
    assert zxid == before + 1
    assert raw.exists(zpath + "/x") is None


def test_successful_multi_wire_results(raw, zpath):
    raw.create(zpath + "/a", b"1")
    err, zxid, results = raw.multi([
        (OP_CREATE, rawzk.op_create(zpath + "/c1")),
        (OP_CREATE2, rawzk.op_create(zpath + "/c2")),
        (OP_SET_DATA, rawzk.op_set_data(zpath + "/a", b"22")),
        (OP_CHECK, rawzk.op_check(zpath + "/a", 1)),
        (OP_DELETE, rawzk.op_delete(zpath + "/c1")),
    ])
    assert err == 0
    # ZooKeeper 3.8 answers a create2 inside multi like a plain create (path only, no Stat).
    assert [(r.type, r.err) for r in results] == [(OP_CREATE, 0), (OP_CREATE, 0), (OP_SET_DATA, 0),
                                                  (OP_CHECK, 0), (OP_DELETE, 0)]
    assert rawzk.Reader(results[0].body).string() == zpath + "/c1"
    assert rawzk.Reader(results[1].body).string() == zpath + "/c2"
    stat = rawzk.Reader(results[2].body).stat()
    assert (stat.mzxid, stat.version, stat.dataLength) == (zxid, 1, 2)
    assert results[3].body == results[4].body == b""


def test_check_op(client, zpath):
    client.create(zpath + "/a")
    t = client.transaction()
    t.check(zpath + "/a", 0)
    assert t.commit() == [True]
    t = client.transaction()
    t.check(zpath + "/a", 1)
    assert [type(r) for r in t.commit()] == [ke.BadVersionError]
    t = client.transaction()
    t.check(zpath + "/missing", 0)
    t.create(zpath + "/b")
    assert [type(r) for r in t.commit()] == [ke.NoNodeError, ke.RuntimeInconsistency]


def test_ops_see_earlier_ops_of_same_multi(client, zpath):
    t = client.transaction()
    t.create(zpath + "/p")
    t.create(zpath + "/p/c")
    t.check(zpath + "/p/c", 0)
    t.set_data(zpath + "/p/c", b"v")
    t.check(zpath + "/p/c", 1)
    t.delete(zpath + "/p/c")
    t.delete(zpath + "/p")
    results = t.commit()
    assert results[:3] == [zpath + "/p", zpath + "/p/c", True]
    assert results[3].version == 1
    assert results[4:] == [True, True, True]
    assert client.exists(zpath + "/p") is None
    assert client.exists(zpath).cversion == 2


@pytest.mark.parametrize("build, error", [
    (lambda t, p: (t.create(p + "/dup"), t.create(p + "/dup")), ke.NodeExistsError),
    (lambda t, p: (t.create(p + "/e", ephemeral=True), t.create(p + "/e/x")), ke.NoChildrenForEphemeralsError),
    (lambda t, p: (t.create(p + "/n"), t.create(p + "/n/c"), t.delete(p + "/n")), ke.NotEmptyError),
    (lambda t, p: (t.create(p + "/n"), t.create(p + "/missing/c")), ke.NoNodeError),
])
def test_error_inside_multi(client, zpath, build, error):
    t = client.transaction()
    build(t, zpath)
    results = t.commit()
    assert type(results[-1]) is error
    assert all(type(r) is ke.RolledBackError for r in results[:-1])
    assert client.get_children(zpath) == []


def test_empty_multi(raw):
    err, _, results = raw.multi([])
    assert (err, results) == (0, [])


def test_read_ops_are_rejected_inside_multi(raw, zpath):
    err, _, results = raw.multi([(OP_GET_DATA, rawzk.op_path_watch(zpath))])
    assert (err, results) == (rawzk.MARSHALLING_ERROR, [])


def test_multi_read_is_per_op(raw, zpath):
    raw.create(zpath + "/a", b"data")
    err, _, results = raw.multi([
        (OP_GET_DATA, rawzk.op_path_watch(zpath + "/a")),
        (OP_GET_DATA, rawzk.op_path_watch(zpath + "/missing")),
        (OP_GET_CHILDREN, rawzk.op_path_watch(zpath)),
    ], op=rawzk.OP_MULTI_READ)
    assert err == 0
    assert [(r.type, r.err) for r in results] == [(OP_GET_DATA, 0), (-1, rawzk.NO_NODE), (OP_GET_CHILDREN, 0)]
    reader = rawzk.Reader(results[0].body)
    assert reader.buffer() == b"data"
    assert reader.stat().dataLength == 4
    assert rawzk.Reader(results[2].body).strings() == ["a"]


def test_write_ops_are_rejected_in_multi_read(raw, zpath):
    err, _, results = raw.multi([(OP_CREATE, rawzk.op_create(zpath + "/x"))], op=rawzk.OP_MULTI_READ)
    assert (err, results) == (rawzk.MARSHALLING_ERROR, [])
    assert raw.exists(zpath + "/x") is None
