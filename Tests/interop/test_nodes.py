"""Znodes: create modes, Stat fields after each kind of change, sequential numbering, reads, versions, errors."""
import time

import pytest
from kazoo import exceptions as ke

import rawzk
from conftest import wait_until
from rawzk import ServerError


err_of = rawzk.error_of


def assert_recent_ms(ms):
    assert abs(ms - time.time() * 1000) < 60_000, ms


# ---------------------------------------------------------------------------------------------- create modes + Stat
def test_create_persistent_stat(raw, zpath):
    path, stat = raw.create(zpath + "/n", b"hello")
    zxid = raw.last_zxid
    assert path == zpath + "/n"
    assert stat.czxid == stat.mzxid == stat.pzxid == zxid
    assert stat.ctime == stat.mtime
    assert_recent_ms(stat.ctime)
    assert (stat.version, stat.cversion, stat.aversion) == (0, 0, 0)
    assert stat.ephemeralOwner == 0
    assert (stat.dataLength, stat.numChildren) == (5, 0)
    assert raw.exists(zpath + "/n") == stat
    assert raw.get_data(zpath + "/n") == (b"hello", stat)


def test_create_ephemeral_owner_is_session(client, zpath):
    path, stat = client.create(zpath + "/e", b"", ephemeral=True, include_data=True)
    assert stat.ephemeralOwner == client.client_id[0]
    assert stat.dataLength == 0


def test_canonically_equivalent_names_are_different_nodes(client, zpath):
    # ZooKeeper compares names as Java strings, code unit by code unit: "é" precomposed and "e" + U+0301 are two
    # nodes, each with its own data, though they render alike.
    composed, decomposed = zpath + "/\u00e9", zpath + "/e\u0301"
    client.create(composed, b"composed")
    client.create(decomposed, b"decomposed")
    assert sorted(client.get_children(zpath)) == sorted(["\u00e9", "e\u0301"])
    assert client.get(composed)[0] == b"composed"
    assert client.get(decomposed)[0] == b"decomposed"
    client.delete(composed)
    assert client.exists(composed) is None
    assert client.get(decomposed)[0] == b"decomposed"


def test_a_watch_is_not_fired_by_a_canonically_equivalent_name(client, zpath):
    # Watches are keyed by the path's bytes, as ZooKeeper keys them by Java string.
    composed, decomposed = zpath + "/\u00e9", zpath + "/e\u0301"
    client.create(composed, b"composed")
    client.create(decomposed, b"decomposed")
    events = []
    client.get(composed, watch=events.append)
    client.set(decomposed, b"changed")
    client.set(composed, b"changed")
    wait_until(lambda: events, message="the data watch on the composed name")
    time.sleep(0.2)
    assert [(e.type, e.path) for e in events] == [("CHANGED", composed)]


def test_a_closed_session_deletes_ephemerals_with_canonically_equivalent_names(make_client, client, zpath):
    composed, decomposed = zpath + "/\u00e9", zpath + "/e\u0301"
    owner = make_client()
    owner.create(composed, b"", ephemeral=True)
    owner.create(decomposed, b"", ephemeral=True)
    owner.stop()
    owner.close()
    assert client.get_children(zpath) == []


def test_one_multi_creates_nodes_with_canonically_equivalent_names(client, zpath):
    # The second create is checked against the first one's pending change, which must not be taken for its own.
    composed, decomposed = zpath + "/\u00e9", zpath + "/e\u0301"
    transaction = client.transaction()
    transaction.create(composed, b"composed")
    transaction.create(decomposed, b"decomposed")
    assert transaction.commit() == [composed, decomposed]
    assert client.get(decomposed)[0] == b"decomposed"


def test_legacy_create_opcode_returns_path_only(raw, zpath):
    assert raw.create(zpath + "/old", op=rawzk.OP_CREATE) == (zpath + "/old", None)
    assert raw.exists(zpath + "/old").czxid == raw.last_zxid


def test_container_and_ttl_nodes_report_zero_ephemeral_owner(raw, zpath):
    # A container is stored with a special ephemeralOwner, but clients always see 0.
    path, stat = raw.create(zpath + "/c", flags=rawzk.CONTAINER)
    assert path == zpath + "/c"
    assert stat.ephemeralOwner == 0
    assert raw.exists(path).ephemeralOwner == 0
    raw.create(path + "/child")
    assert raw.exists(path).numChildren == 1


def test_ttl_rejected_when_extended_types_disabled(raw, zpath):
    assert err_of(raw.create, zpath + "/t", flags=rawzk.PERSISTENT_WITH_TTL, ttl=1000) == rawzk.UNIMPLEMENTED
    assert raw.exists(zpath + "/t") is None


def test_set_data_updates_stat(raw, zpath):
    _, created = raw.create(zpath + "/n", b"a")
    stat = raw.set_data(zpath + "/n", b"abc")
    assert stat.mzxid == raw.last_zxid > created.mzxid
    assert stat.mtime >= created.mtime
    assert stat.version == 1
    assert stat.dataLength == 3
    assert (stat.czxid, stat.ctime, stat.pzxid, stat.cversion, stat.aversion) == (
        created.czxid, created.ctime, created.pzxid, created.cversion, created.aversion)
    assert raw.set_data(zpath + "/n", b"").version == 2


def test_child_changes_update_parent_stat(raw, zpath):
    parent = raw.exists(zpath)
    _, child = raw.create(zpath + "/c1")
    after_create = raw.exists(zpath)
    assert after_create.pzxid == child.czxid
    assert after_create.cversion == parent.cversion + 1
    assert after_create.numChildren == 1
    assert (after_create.mzxid, after_create.version) == (parent.mzxid, parent.version)
    raw.delete(zpath + "/c1")
    delete_zxid = raw.last_zxid
    after_delete = raw.exists(zpath)
    assert after_delete.pzxid == delete_zxid
    assert after_delete.cversion == parent.cversion + 2
    assert after_delete.numChildren == 0
    assert after_delete.mzxid == parent.mzxid


def test_set_acl_bumps_aversion_only(raw, zpath):
    before = raw.exists(zpath)
    body = rawzk.Writer().string(zpath).acl(rawzk.OPEN_ACL_UNSAFE).int(0).bytes()
    stat = rawzk.Reader(raw.call(rawzk.OP_SET_ACL, body).body).stat()
    assert stat.aversion == 1
    assert (stat.mzxid, stat.version, stat.cversion, stat.pzxid) == (
        before.mzxid, before.version, before.cversion, before.pzxid)
    assert raw.call(rawzk.OP_SET_ACL, body, check=False).err == rawzk.BAD_VERSION


def test_failed_write_consumes_a_zxid(raw, zpath):
    raw.create(zpath + "/dup")
    created = raw.last_zxid
    with pytest.raises(ServerError) as failed:
        raw.create(zpath + "/dup")
    assert failed.value.err == rawzk.NODE_EXISTS
    assert failed.value.zxid == created + 1
    raw.create(zpath + "/next")
    assert raw.last_zxid == created + 2


# ------------------------------------------------------------------------------------------------ sequential nodes
def test_sequential_suffix_is_ten_digits_from_zero(client, zpath):
    first = client.create(zpath + "/s-", sequence=True)
    second = client.create(zpath + "/s-", sequence=True)
    eph = client.create(zpath + "/e-", ephemeral=True, sequence=True)
    assert first == zpath + "/s-0000000000"
    assert second == zpath + "/s-0000000001"
    # The counter belongs to the parent, shared by every prefix and by ephemeral-sequential nodes.
    assert eph == zpath + "/e-0000000002"


def test_sequence_counts_child_creates_not_deletes(client, zpath):
    client.create(zpath + "/s-", sequence=True)          # 0
    client.create(zpath + "/plain")                     # a plain create advances the counter too
    assert client.create(zpath + "/s-", sequence=True) == zpath + "/s-0000000002"
    client.delete(zpath + "/plain")
    # Stat.cversion counts creates and deletes, but the suffix only counts creates.
    assert client.exists(zpath).cversion == 4
    assert client.create(zpath + "/s-", sequence=True) == zpath + "/s-0000000003"
    assert client.exists(zpath).cversion == 5
    with pytest.raises(ke.NodeExistsError):
        client.create(zpath + "/s-0000000003")
    with pytest.raises(ke.NoNodeError):
        client.delete(zpath + "/missing")
    # Failed creates and deletes do not move it.
    assert client.create(zpath + "/s-", sequence=True) == zpath + "/s-0000000004"


def test_session_close_deletes_bump_cversion_not_sequence(make_client, client, zpath):
    other = make_client()
    other.create(zpath + "/e", ephemeral=True)                 # counter 0 -> 1
    assert client.exists(zpath).cversion == 1
    other.stop()
    assert client.exists(zpath + "/e") is None
    assert client.exists(zpath).cversion == 2
    assert client.create(zpath + "/s-", sequence=True) == zpath + "/s-0000000001"


def test_sequential_name_may_be_only_the_counter(raw, zpath):
    # A path ending in "/" is invalid, but with the sequence flag the counter completes the name
    # (validation runs after the suffix is appended).
    assert raw.create(zpath + "/", flags=rawzk.PERSISTENT_SEQUENTIAL)[0] == zpath + "/0000000000"
    assert raw.create(zpath + "/.", flags=rawzk.PERSISTENT_SEQUENTIAL)[0] == zpath + "/.0000000001"
    assert err_of(raw.create, zpath + "/") == rawzk.BAD_ARGUMENTS


# ---------------------------------------------------------------------------------------------- reads and versions
def test_get_children_and_exists(client, zpath):
    for name in ("b", "a", "c"):
        client.create(f"{zpath}/{name}", name.encode())
    client.create(zpath + "/a/deep")
    assert sorted(client.get_children(zpath)) == ["a", "b", "c"]
    assert client.get_children(zpath + "/b") == []
    children, stat = client.get_children(zpath, include_data=True)
    assert sorted(children) == ["a", "b", "c"] and stat.numChildren == 3
    assert client.exists(zpath + "/nope") is None
    with pytest.raises(ke.NoNodeError):
        client.get_children(zpath + "/nope")
    with pytest.raises(ke.NoNodeError):
        client.get(zpath + "/nope")


def test_versioned_set_and_delete(client, zpath):
    client.create(zpath + "/v", b"0")
    assert client.set(zpath + "/v", b"1", version=0).version == 1
    with pytest.raises(ke.BadVersionError):
        client.set(zpath + "/v", b"x", version=0)
    assert client.set(zpath + "/v", b"2", version=-1).version == 2
    with pytest.raises(ke.BadVersionError):
        client.delete(zpath + "/v", version=1)
    client.delete(zpath + "/v", version=2)
    assert client.exists(zpath + "/v") is None


def test_large_data_round_trips(client, zpath):
    data = bytes(range(256)) * 4000  # about 1 MB, under jute.maxbuffer with the request overhead
    client.create(zpath + "/big", data)
    value, stat = client.get(zpath + "/big")
    assert value == data and stat.dataLength == len(data)


# ---------------------------------------------------------------------------------------------------- error codes
def test_error_codes_for_basic_failures(raw, zpath):
    raw.create(zpath + "/p")
    raw.create(zpath + "/p/c")
    raw.create(zpath + "/eph", flags=rawzk.EPHEMERAL)
    assert err_of(raw.create, zpath + "/missing/child") == rawzk.NO_NODE
    assert err_of(raw.create, zpath + "/p") == rawzk.NODE_EXISTS
    assert err_of(raw.delete, zpath + "/p") == rawzk.NOT_EMPTY
    assert err_of(raw.delete, zpath + "/missing") == rawzk.NO_NODE
    assert err_of(raw.delete, zpath + "/missing", 3) == rawzk.NO_NODE
    assert err_of(raw.set_data, zpath + "/missing", b"", 3) == rawzk.NO_NODE
    assert err_of(raw.delete, zpath + "/p/c", 7) == rawzk.BAD_VERSION
    assert err_of(raw.set_data, zpath + "/p/c", b"", 7) == rawzk.BAD_VERSION
    for flags in (rawzk.PERSISTENT, rawzk.EPHEMERAL, rawzk.PERSISTENT_SEQUENTIAL, rawzk.CONTAINER):
        assert err_of(raw.create, zpath + "/eph/x", flags=flags) == rawzk.NO_CHILDREN_FOR_EPHEMERALS


@pytest.mark.parametrize("suffix", ["/", "/.", "/..", "/\U0001F600", "/a\x00b", "/a\x01", "/a\x7f", "/\u0085",
                                    "/\ud7ff\ue000", "/\ufff0"])
def test_create_invalid_last_component_is_bad_arguments(raw, zpath, suffix):
    # U+E000 (private use) and U+FFF0 are banned along with control characters and every non-BMP character.
    assert err_of(raw.create, zpath + suffix) == rawzk.BAD_ARGUMENTS
    assert raw.get_children(zpath) == []


@pytest.mark.parametrize("suffix", ["/\u00e9", "/\u00a0", "/.x", "/..x", "/ ", "/\ud7ff", "/\uf900"])
def test_create_unusual_but_valid_names(raw, zpath, suffix):
    assert raw.create(zpath + suffix)[0] == zpath + suffix
    assert raw.get_children(zpath) == [suffix[1:]]


def test_invalid_paths_per_operation(raw, zpath):
    # The parent is looked up before the full path is validated: a bad component in the parent part is NoNode.
    for bad in (zpath + "//b", zpath + "/./b", zpath + "/../b"):
        assert err_of(raw.create, bad) == rawzk.NO_NODE
    for bad in (zpath + "/", zpath + "//b", zpath + "/.", zpath + "/\U0001F600"):
        # Writes other than create validate the path first; reads and delete just fail to find it.
        assert err_of(raw.set_data, bad, b"") == rawzk.BAD_ARGUMENTS
        body = rawzk.Writer().string(bad).acl(rawzk.OPEN_ACL_UNSAFE).int(-1).bytes()
        assert raw.call(rawzk.OP_SET_ACL, body, check=False).err == rawzk.BAD_ARGUMENTS
        assert err_of(raw.delete, bad) == rawzk.NO_NODE
        assert raw.exists(bad) is None
        assert err_of(raw.get_data, bad) == rawzk.NO_NODE
        assert err_of(raw.get_children, bad) == rawzk.NO_NODE
    assert err_of(raw.create, "relative") == rawzk.BAD_ARGUMENTS
    assert err_of(raw.delete, "relative") == rawzk.BAD_ARGUMENTS


# ------------------------------------------------------------------------------------------------- reserved nodes
def test_reserved_nodes_exist(raw):
    assert {"zookeeper"} <= set(raw.get_children("/"))
    assert sorted(raw.get_children("/zookeeper")) == ["config", "quota"]
    assert raw.get_data("/zookeeper/config")[0] == b""  # standalone, no dynamic config
    assert raw.exists("/zookeeper/quota").numChildren == 0


def test_reserved_nodes_cannot_be_deleted_or_recreated(raw):
    for path in ("/zookeeper", "/zookeeper/config", "/zookeeper/quota", "/"):
        assert err_of(raw.delete, path) == rawzk.BAD_ARGUMENTS
    assert err_of(raw.create, "/zookeeper") == rawzk.NODE_EXISTS
    assert err_of(raw.create, "/") == rawzk.NODE_EXISTS
    # /zookeeper/config is world-readable only.
    assert err_of(raw.set_data, "/zookeeper/config", b"x") == rawzk.NO_AUTH
    acl = rawzk.Reader(raw.call(rawzk.OP_GET_ACL, rawzk.Writer().string("/zookeeper/config").bytes()).body).acl()
    assert acl == [(1, "world", "anyone")]
