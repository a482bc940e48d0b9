"""A three-server ensemble replicates: a write made through one member is read on every member (after sync), a
session moves between members with its ephemeral node and its watch, a stopped follower catches up from the
leader's recent history (DIFF) and a wiped one from a snapshot (SNAP), and an observer follows along.

Every "aviary" member is a ZooKeeper 3.8 member under INTEROP_TARGET=zookeeper, which proves the tests themselves.
"""
import queue

import rawzk
from conftest import wait_until
from ensemble import HOST, read_tree, wait_for_equal_zxids

THREE = ["aviary", "aviary", "aviary"]
OP_TIMEOUT = 10.0


def create_nodes(client, root, count, payload=b"", start=0):
    """Creates root/n<i> for i in [start, start+count), pipelined; returns {path: data}."""
    results = []
    for i in range(start, start + count):
        path = f"{root}/n{i:04d}"
        data = payload + f"#{i}".encode()
        results.append((path, data, client.create_async(path, data)))
    return {path: data for path, data, result in results if result.get(timeout=OP_TIMEOUT) == path}


def test_writes_through_any_member_are_read_on_every_member(ensembles):
    ens = ensembles(THREE)
    clients = {sid: ens.client([sid]) for sid in ens.ids}
    expected = {}
    for writer in ens.ids:
        root = f"/replicated-by-{writer}"
        client = clients[writer]
        client.create_async(root, b"first").get(timeout=OP_TIMEOUT)
        expected.update(create_nodes(client, root, 25, payload=f"via {writer} ".encode()))
        client.set_async(root, f"last write via {writer}".encode()).get(timeout=OP_TIMEOUT)
        expected[root] = f"last write via {writer}".encode()
        client.delete_async(f"{root}/n0000").get(timeout=OP_TIMEOUT)
        del expected[f"{root}/n0000"]

    for reader, client in clients.items():
        seen = {}
        for writer in ens.ids:
            seen.update(read_tree(client, f"/replicated-by-{writer}"))
        assert seen == expected, f"server.{reader} differs"
        _, stat = client.get_async("/replicated-by-1").get(timeout=OP_TIMEOUT)
        assert stat.version == 1 and stat.numChildren == 24
    wait_for_equal_zxids(ens)


def test_kazoo_session_fails_over_to_another_member_keeping_its_ephemeral_node(ensembles):
    ens = ensembles(THREE)
    leader = ens.leader_id()
    first, second = ens.followers()
    owner = ens.client([first, second], randomize_hosts=False)
    session_id = owner.client_id[0]
    assert ens.session_holder(session_id) == [first]
    owner.create_async("/moving").get(timeout=OP_TIMEOUT)
    owner.create_async("/moving/watched", b"v0").get(timeout=OP_TIMEOUT)
    owner.create_async("/moving/mine", b"ephemeral", ephemeral=True).get(timeout=OP_TIMEOUT)
    # kazoo drops one-shot watches on a disconnect (it never sends setWatches); its DataWatch recipe re-arms its
    # watch after a reconnect, which is what applications rely on.
    seen = queue.Queue()
    owner.DataWatch("/moving/watched", lambda data, stat: seen.put(data))
    assert seen.get(timeout=OP_TIMEOUT) == b"v0"

    ens.stop(first)
    wait_until(lambda: owner.connected and ens.session_holder(session_id) == [second], timeout=20,
               message=f"the session to reconnect through server.{second}")
    assert owner.client_id[0] == session_id

    other = ens.client([leader])
    other.sync_async("/moving").get(timeout=OP_TIMEOUT)
    stat = other.exists_async("/moving/mine").get(timeout=OP_TIMEOUT)
    assert stat is not None and stat.ephemeralOwner == session_id
    other.set_async("/moving/watched", b"v1").get(timeout=OP_TIMEOUT)
    wait_until(lambda: seen.get(timeout=OP_TIMEOUT) == b"v1", timeout=OP_TIMEOUT, message="the DataWatch to see v1")

    # The session still owns its node where it now lives: closing it removes the node everywhere.
    owner.stop()
    wait_until(lambda: other.exists_async("/moving/mine").get(timeout=OP_TIMEOUT) is None, timeout=10,
               message="the ephemeral node to go with its session")


def test_session_reattaches_on_another_member_and_rearms_its_watches(ensembles):
    ens = ensembles(THREE)
    leader = ens.leader_id()
    first, second = ens.followers()
    writer = ens.client([leader])
    for path in ("/rearm", "/rearm/changed", "/rearm/quiet", "/rearm/gone"):
        writer.create_async(path).get(timeout=OP_TIMEOUT)

    old = rawzk.RawClient(HOST, ens.member(first).client_port, timeout_ms=8000)
    try:
        old.sync("/rearm")
        old.create("/rearm/mine", b"ephemeral", flags=rawzk.EPHEMERAL)
        for path in ("/rearm/changed", "/rearm/quiet", "/rearm/gone"):
            old.get_data(path, watch=True)
        old.exists("/rearm/missing", watch=True)
        old.get_children("/rearm", watch=True)
        old.drop()
        # Changes made while the session has no connection.
        writer.set_async("/rearm/changed", b"1").get(timeout=OP_TIMEOUT)
        writer.delete_async("/rearm/gone").get(timeout=OP_TIMEOUT)
        writer.create_async("/rearm/missing").get(timeout=OP_TIMEOUT)
        ens.client([second]).sync_async("/rearm").get(timeout=OP_TIMEOUT)

        moved = rawzk.RawClient(HOST, ens.member(second).client_port, timeout_ms=8000, session_id=old.session_id,
                                passwd=old.passwd, last_zxid=old.last_zxid)
        try:
            assert moved.session_id == old.session_id
            assert ens.session_holder(old.session_id) == [second]
            moved.set_watches(old.last_zxid, data=["/rearm/changed", "/rearm/quiet", "/rearm/gone"],
                              exist=["/rearm/missing"], child=["/rearm"])
            missed = sorted((e.type, e.path) for e in moved.drain_events())
            assert missed == sorted([(rawzk.EVENT_NODE_DATA_CHANGED, "/rearm/changed"),
                                     (rawzk.EVENT_NODE_DELETED, "/rearm/gone"),
                                     (rawzk.EVENT_NODE_CREATED, "/rearm/missing"),
                                     (rawzk.EVENT_NODE_CHILDREN_CHANGED, "/rearm")])
            # The watch on the unchanged node was re-armed on the new member and fires once.
            writer.set_async("/rearm/quiet", b"now").get(timeout=OP_TIMEOUT)
            writer.set_async("/rearm/quiet", b"again").get(timeout=OP_TIMEOUT)
            event = moved.next_event(timeout=OP_TIMEOUT)
            assert event is not None and (event.type, event.path) == (rawzk.EVENT_NODE_DATA_CHANGED, "/rearm/quiet")
            moved.sync("/rearm/quiet")  # the member has applied "again" too: a second event would be here now
            assert [(e.type, e.path) for e in moved.drain_events()] == []
            stat = writer.exists_async("/rearm/mine").get(timeout=OP_TIMEOUT)
            assert stat is not None and stat.ephemeralOwner == old.session_id
        finally:
            moved.close()
    finally:
        old.close()
    wait_until(lambda: writer.exists_async("/rearm/mine").get(timeout=OP_TIMEOUT) is None, timeout=10,
               message="the ephemeral node to go when the session closes")


def test_stopped_follower_catches_up_from_the_leaders_history(ensembles):
    ens = ensembles(THREE)
    leader = ens.leader_id()
    follower = ens.followers()[0]
    writer = ens.client([leader])
    writer.create_async("/diff").get(timeout=OP_TIMEOUT)
    expected = {"/diff": b""}
    expected.update(create_nodes(writer, "/diff", 20, payload=b"before "))

    ens.stop(follower)
    expected.update(create_nodes(writer, "/diff", 60, payload=b"while stopped ", start=20))
    writer.set_async("/diff", b"updated while stopped").get(timeout=OP_TIMEOUT)
    expected["/diff"] = b"updated while stopped"
    writer.delete_async("/diff/n0003").get(timeout=OP_TIMEOUT)
    del expected["/diff/n0003"]

    member = ens.member(follower)
    log_mark = len(member.log())
    ens.restart(follower)
    assert ens.mode(follower) == "follower"
    reader = ens.client([follower])
    assert read_tree(reader, "/diff") == expected
    wait_for_equal_zxids(ens)
    if member.kind == "zookeeper":
        # 80 transactions behind is well inside the leader's in-memory history (500), so the sync is a DIFF.
        assert "Getting a diff from the leader" in member.log()[log_mark:]

    # It keeps following: later writes reach it too.
    writer.set_async("/diff/n0001", b"after catch-up").get(timeout=OP_TIMEOUT)
    reader.sync_async("/diff/n0001").get(timeout=OP_TIMEOUT)
    assert reader.get_async("/diff/n0001").get(timeout=OP_TIMEOUT)[0] == b"after catch-up"


def test_wiped_follower_catches_up_from_a_snapshot(ensembles):
    ens = ensembles(THREE)
    leader = ens.leader_id()
    follower = ens.followers()[0]
    writer = ens.client([leader])
    writer.create_async("/snap").get(timeout=OP_TIMEOUT)
    expected = {"/snap": b""}
    expected.update(create_nodes(writer, "/snap", 30, payload=b"kept "))
    # Many overwrites of one 1 KiB node: the log grows far past the snapshot's size and past the leader's 500
    # remembered proposals, so replaying history from zxid 0 is not an option and the leader must send a SNAP.
    blob = bytes(range(256)) * 4
    pending = [writer.set_async("/snap/n0000", blob + str(i).encode()) for i in range(600)]
    for result in pending:
        result.get(timeout=OP_TIMEOUT)
    expected["/snap/n0000"] = blob + b"599"

    ens.stop(follower)
    ens.wipe(follower)
    member = ens.member(follower)
    assert member.snapshot_zxids() == []
    leader_zxid = ens.member(leader).zxid()
    log_mark = len(member.log())
    ens.restart(follower)
    assert ens.mode(follower) == "follower"
    reader = ens.client([follower])
    assert read_tree(reader, "/snap") == expected
    wait_for_equal_zxids(ens)
    # State that arrived as a snapshot can only be made durable as a snapshot.
    assert member.snapshot_zxids() and max(member.snapshot_zxids()) >= leader_zxid
    if member.kind == "zookeeper":
        assert "Getting a snapshot from leader" in member.log()[log_mark:]


def test_observer_follows_writes_and_leader_changes(ensembles):
    ens = ensembles(THREE + ["aviary"], observers=(4,))
    assert ens.mode(4) == "observer"
    assert ens.leader_id() != 4
    writer = ens.client([ens.leader_id()])
    observer = ens.client([4])
    writer.create_async("/observed", b"one").get(timeout=OP_TIMEOUT)
    assert read_tree(observer, "/observed") == {"/observed": b"one"}
    # Writes sent to the observer are forwarded to the leader.
    observer.create_async("/observed/via-observer", b"two").get(timeout=OP_TIMEOUT)
    assert read_tree(writer, "/observed") == {"/observed": b"one", "/observed/via-observer": b"two"}

    old = ens.leader_id()
    ens.kill(old)
    new = ens.wait_for_new_leader(old)
    assert new != 4
    ens.wait_for_quorum()
    assert ens.mode(4) == "observer"
    after = ens.client([new])
    after.set_async("/observed", b"three").get(timeout=OP_TIMEOUT)
    wait_until(lambda: observer.connected, timeout=20, message="the observer's client to reconnect")
    assert read_tree(observer, "/observed") == {"/observed": b"three", "/observed/via-observer": b"two"}
