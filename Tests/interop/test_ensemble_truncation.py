"""A leader cut off with a proposal nobody else logged comes back and loses it: the txn that was never acknowledged
disappears from its log and its tree, and it follows the new leader's history exactly. Here the new leader's history
continues in a newer epoch, so ZooKeeper 3.8 resyncs the ex-leader by SNAP rather than TRUNC (it logs "Cannot send
TRUNC to peer ... from different epoch") and Aviary chooses as ZooKeeper does; the ex-leader must then cut its own
longer log. Run all-Aviary and in mixed ensembles both ways round, so each kind's handling is checked against the
other's.

Every "aviary" member is a ZooKeeper 3.8 member under INTEROP_TARGET=zookeeper, which proves the test itself.
"""
import os
import struct

import pytest

from conftest import wait_until
from ensemble import read_tree, wait_for_equal_zxids

OP_TIMEOUT = 10.0


@pytest.mark.parametrize("kinds", [
    ["aviary", "aviary", "aviary"],
    ["zookeeper", "zookeeper", "aviary"],
    ["aviary", "aviary", "zookeeper"],
], ids=["aviary", "aviary-ex-leader", "zookeeper-ex-leader"])
def test_cut_off_leader_loses_its_unacknowledged_proposal_on_return(ensembles, kinds):
    ens = ensembles(kinds)
    _make_leader(ens, len(kinds))
    setup = ens.client()
    setup.create_async("/trunc", b"").get(timeout=OP_TIMEOUT)
    for i in range(5):
        setup.create_async(f"/trunc/committed-{i}", b"ok").get(timeout=OP_TIMEOUT)
    old_leader = ens.leader_id()
    followers = [sid for sid in ens.ids if sid != old_leader]
    # The lonely client's session is a txn too: open it before noting the zxid, so that what the leader logs past
    # that zxid is the write itself.
    lonely = ens.client([old_leader])
    wait_for_equal_zxids(ens)
    zxid_before = ens.member(old_leader).zxid()

    # The followers hang; a write reaches the leader, which logs and proposes it but can never commit it. The
    # followers are then killed while hung, so the proposal waiting in their sockets is never read, and the leader
    # is killed too.
    for sid in followers:
        ens.pause(sid)
    try:
        lonely.create_async("/trunc/never-acknowledged", b"lost")
        wait_until(lambda: _logged_beyond(ens.member(old_leader), zxid_before), timeout=OP_TIMEOUT,
                   message=f"server.{old_leader} to log the write")
        ens.kill(old_leader)
    finally:
        for sid in followers:
            ens.kill(sid)
    for sid in followers:
        ens.start_member(sid)

    # The two former followers elect a leader of a new epoch and take more writes.
    new_leader = ens.wait_for_new_leader(old_leader, timeout=30)
    survivor = ens.client(followers)
    for i in range(3):
        survivor.create_async(f"/trunc/after-{i}", b"new").get(timeout=OP_TIMEOUT)

    ens.start_member(old_leader)
    ens.wait_for_quorum(timeout=30)
    assert ens.leader_id() == new_leader
    wait_for_equal_zxids(ens)
    expected = {"/trunc": b""}
    expected.update({f"/trunc/committed-{i}": b"ok" for i in range(5)})
    expected.update({f"/trunc/after-{i}": b"new" for i in range(3)})
    for sid in ens.ids:
        assert read_tree(ens.client([sid]), "/trunc") == expected, f"server.{sid} differs"


def _make_leader(ens, sid):
    """Restarts leaders until member sid leads: which member wins the first election depends on which kind starts
    faster, and the odd one out must be the leader that gets cut off. With equal zxids the highest id wins, so
    restarting any other leader hands leadership to sid once it is among the voters."""
    for _ in range(3):
        leader = ens.wait_for_quorum(timeout=30)
        if leader == sid:
            return
        ens.kill(leader)
        ens.wait_for_new_leader(leader, timeout=30)
        ens.start_member(leader)
    leader = ens.wait_for_quorum(timeout=30)
    assert leader == sid, f"server.{sid} did not become leader; server.{leader} leads"


def _logged_beyond(member, zxid):
    """Whether the member's raw log segments hold a txn past `zxid`: a leader applies a txn only once it commits,
    so srvr does not show a logged one."""
    for directory in member.version2_dirs():
        for name in os.listdir(directory):
            if name.startswith("log.") and os.path.getsize(os.path.join(directory, name)) > 0:
                if _log_has_zxid_beyond(os.path.join(directory, name), zxid):
                    return True
    return False


def _log_has_zxid_beyond(path, zxid):
    with open(path, "rb") as f:
        data = f.read()
    offset = 16                                    # FileHeader: magic, version, dbid
    while offset + 12 <= len(data):
        length = struct.unpack_from(">i", data, offset + 8)[0]
        if length <= 0 or offset + 12 + length > len(data):
            return False
        record_zxid = struct.unpack_from(">q", data, offset + 12 + 12)[0]   # TxnHeader: clientId, cxid, zxid
        if record_zxid > zxid:
            return True
        offset += 12 + length + 1                  # checksum, length, record, end-of-record byte
    return False
