"""Mixed ensembles of Aviary and ZooKeeper 3.8 servers (the migration path: replace one server at a time): clients
on every member see the same data, and the ensemble survives leader kills, whichever kind leads, with the killed
leader rejoining as a follower of the other kind.

Under INTEROP_TARGET=zookeeper the "aviary" members are ZooKeeper too, which proves the test itself.
"""
import json

import pytest

from ensemble import read_tree, wait_for_equal_zxids

OP_TIMEOUT = 10.0
LEADER_KILLS = 2


def write_through_each(ens, clients, root, tag):
    """Every running member takes a few writes through its own client; returns {path: data} written."""
    written = {}
    for sid in ens.running_ids():
        client = clients[sid]
        for i in range(5):
            path = f"{root}/{tag}-via-{sid}-{i}"
            data = f"{tag} {ens.member(sid).kind} {sid} {i}".encode()
            client.create_async(path, data).get(timeout=OP_TIMEOUT)
            written[path] = data
    return written


def assert_every_member_reads(ens, clients, root, expected):
    for sid in ens.running_ids():
        assert read_tree(clients[sid], root) == expected, f"server.{sid} ({ens.member(sid).kind}) differs"


@pytest.mark.parametrize("kinds", [["aviary", "aviary", "zookeeper"], ["aviary", "zookeeper", "zookeeper"]],
                         ids=["2aviary-1zookeeper", "1aviary-2zookeeper"])
def test_mixed_ensemble_replicates_and_survives_leader_kills(ensembles, kinds):
    ens = ensembles(kinds)
    clients = {sid: ens.client([sid]) for sid in ens.ids}
    root = "/mixed"
    clients[1].create_async(root, b"").get(timeout=OP_TIMEOUT)
    expected = {root: b""}
    expected.update(write_through_each(ens, clients, root, "initial"))
    assert_every_member_reads(ens, clients, root, expected)

    leaders = [ens.leader_id()]
    for kill in range(LEADER_KILLS):
        old = leaders[-1]
        ens.kill(old)
        new = ens.wait_for_new_leader(old, timeout=30)
        ens.wait_for_quorum(timeout=30)
        leaders.append(new)
        # Writes through the survivors (their clients reconnect to the same member), then the old leader rejoins.
        expected.update(write_through_each(ens, clients, root, f"after-kill-{kill}"))
        ens.restart(old)
        assert ens.mode(old) == "follower" and ens.leader_id() == new
        assert_every_member_reads(ens, clients, root, expected)
        wait_for_equal_zxids(ens)

    # In ["aviary", "zookeeper", "zookeeper"] the highest id wins ties, so ZooKeeper may have led throughout. Make
    # server.1 (an "aviary" member in both lists) lead: with one follower stopped, writes commit on server.1 and
    # the leader only; kill the leader and bring the stopped one back, and server.1 has the newest history.
    if 1 not in leaders:
        leader = leaders[-1]
        behind = next(sid for sid in ens.ids if sid not in (1, leader))
        ens.stop(behind)
        expected.update(write_through_each(ens, clients, root, "while-one-is-stopped"))
        ens.kill(leader)
        ens.start_member(behind)
        assert ens.wait_for_new_leader(leader, timeout=30) == 1
        leaders.append(1)
        ens.wait_for_quorum(timeout=30)
        ens.restart(leader)
        expected.update(write_through_each(ens, clients, root, "server-1-leads"))
        assert_every_member_reads(ens, clients, root, expected)
        wait_for_equal_zxids(ens)

    print(json.dumps({"measurement": "mixed_ensemble", "kinds": ens.kinds,
                      "leaders": [f"{sid}:{ens.member(sid).kind}" for sid in leaders]}))
    assert {ens.member(sid).kind for sid in leaders} == set(ens.kinds), "every kind has led"
