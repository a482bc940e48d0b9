"""Failures of ensemble members: the leader killed under a write load (failover time measured, no acknowledged
write lost), and quorum loss and recovery in a five-server ensemble.

The failover measurement is printed (visible with `pytest -s`) as a sentence and as one JSON line:
  {"measurement": "leader_failover", "kinds": [...], "failover_ms": ..., "election_ms": ..., ...}
failover_ms runs from the SIGKILL of the leader to the client's acknowledgement of the first write committed in
the new leader's epoch (zxid >> 32); election_ms to the first srvr that shows a new leader.
"""
import json
import threading
import time

from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

from conftest import wait_until
from ensemble import read_tree, wait_for_equal_zxids

THREE = ["aviary"] * 3
FIVE = ["aviary"] * 5
OP_TIMEOUT = 10.0
WRITE_TIMEOUT = 5.0
MAX_WRITES = 5000  # the load is bounded in requests as well as in time
LOAD_SECONDS_MAX = 45.0


class SequentialWriter(threading.Thread):
    """Creates /load/w-000000, /load/w-000001, ... one at a time (data = the index), never re-sending a request.

    A create that got a reply is acknowledged: (index, monotonic time of the reply, czxid). A create whose
    connection died or timed out is uncertain: it may or may not have been committed.
    """

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.acked = []
        self.uncertain = []
        self.errors = []
        self.stop_event = threading.Event()
        self.deadline = time.monotonic() + LOAD_SECONDS_MAX

    @staticmethod
    def path(index):
        return f"/load/w-{index:06d}"

    def run(self):
        for index in range(MAX_WRITES):
            if self.stop_event.is_set() or time.monotonic() > self.deadline:
                return
            try:
                _, stat = self.client.create_async(self.path(index), str(index).encode(),
                                                   include_data=True).get(timeout=WRITE_TIMEOUT)
                self.acked.append((index, time.monotonic(), stat.czxid))
            except (KazooException, KazooTimeoutError) as error:
                self.uncertain.append(index)
                self.errors.append(type(error).__name__)
                if not self.client.connected:
                    time.sleep(0.02)  # do not spin while kazoo reconnects

    def acked_in_epoch_after(self, epoch):
        return [(index, at) for index, at, czxid in self.acked if czxid >> 32 > epoch]


def verify_load(client, writer):
    """Every acknowledged create is there with its data; nothing but attempted creates is there."""
    tree = read_tree(client, "/load")
    for index, _, _ in writer.acked:
        assert tree.get(SequentialWriter.path(index)) == str(index).encode(), f"acknowledged write {index} lost"
    attempted = {SequentialWriter.path(i) for i, _, _ in writer.acked} | {SequentialWriter.path(i)
                                                                         for i in writer.uncertain}
    unexpected = set(tree) - attempted - {"/load"}
    assert not unexpected, f"nodes nobody acknowledged or attempted: {sorted(unexpected)[:5]}"
    for path in set(tree) - {"/load"}:
        assert tree[path] == str(int(path.rsplit("-", 1)[1])).encode(), f"{path} holds {tree[path]!r}"
    return tree


def test_leader_kill_under_write_load(ensembles):
    ens = ensembles(THREE)
    old_leader = ens.leader_id()
    setup = ens.client()
    setup.create_async("/load").get(timeout=OP_TIMEOUT)
    client = ens.client(command_retry=None)
    writer = SequentialWriter(client)
    writer.start()
    try:
        wait_until(lambda: len(writer.acked) >= 100, timeout=20, message="100 writes before the kill")
        old_epoch = max(czxid >> 32 for _, _, czxid in writer.acked)
        holder = ens.session_holder(client.client_id[0])
        killed_at = ens.kill(old_leader)
        new_leader = ens.wait_for_new_leader(old_leader, timeout=30)
        elected_at = time.monotonic()
        wait_until(lambda: len(writer.acked_in_epoch_after(old_epoch)) >= 100, timeout=30,
                   message="100 writes committed under the new leader")
    finally:
        writer.stop_event.set()
        writer.join(timeout=WRITE_TIMEOUT + 5)
    assert not writer.is_alive()

    first_index, first_at = writer.acked_in_epoch_after(old_epoch)[0]
    failover_ms = round((first_at - killed_at) * 1000)
    election_ms = round((elected_at - killed_at) * 1000)
    assert new_leader != old_leader
    ens.wait_for_quorum(timeout=30)
    # One session's writes commit in order: zxids rise with the index, and everything acknowledged before the
    # kill was committed by the old leader.
    czxids = [czxid for _, _, czxid in writer.acked]
    assert czxids == sorted(set(czxids))
    assert all(czxid >> 32 == old_epoch for _, at, czxid in writer.acked if at < killed_at)
    verify_load(ens.client([new_leader]), writer)

    # The old leader comes back as a follower of the new one, with the same data.
    ens.restart(old_leader)
    assert ens.mode(old_leader) == "follower" and ens.leader_id() == new_leader
    rejoined = verify_load(ens.client([old_leader]), writer)
    wait_for_equal_zxids(ens)

    measurement = {
        "measurement": "leader_failover", "kinds": ens.kinds, "old_leader": old_leader, "new_leader": new_leader,
        "client_was_on": holder, "failover_ms": failover_ms, "election_ms": election_ms,
        "writes_acked": len(writer.acked), "writes_uncertain": len(writer.uncertain),
        "uncertain_committed": sum(1 for i in writer.uncertain if SequentialWriter.path(i) in rejoined),
        "errors": sorted(set(writer.errors)),
    }
    print(f"\nleader failover ({'/'.join(ens.kinds)}): server.{old_leader} killed, server.{new_leader} leads after "
          f"{election_ms} ms, first write committed under it after {failover_ms} ms")
    print(json.dumps(measurement))
    assert 0 < failover_ms < 30_000


def write_fails(ens, ids, timeout=4.0):
    """True when a create through a fresh client on the given members fails or times out within `timeout`."""
    client = ens.client(ids, start=False, command_retry=None,
                        connection_retry={"max_tries": 3, "delay": 0.1, "backoff": 1, "max_delay": 0.2})
    try:
        client.start(timeout=timeout)
        client.create_async("/quorum/without-quorum", b"", sequence=True).get(timeout=timeout)
    except (KazooException, KazooTimeoutError):
        return True
    finally:
        client.stop()
    return False


def test_five_servers_survive_two_failures_not_three(ensembles):
    ens = ensembles(FIVE)
    setup = ens.client()
    setup.create_async("/quorum").get(timeout=OP_TIMEOUT)
    acknowledged = []

    def write_through(ids, tag):
        client = ens.client(ids)
        for i in range(5):
            path = client.create_async(f"/quorum/{tag}-", tag.encode(), sequence=True).get(timeout=OP_TIMEOUT)
            acknowledged.append(path)

    write_through(None, "all-five")

    # Two down (the leader among them): three of five still form a quorum.
    first_leader = ens.leader_id()
    victims = [first_leader, next(sid for sid in ens.ids if sid != first_leader)]
    for sid in victims:
        ens.kill(sid)
    leader = ens.wait_for_quorum(timeout=30)
    assert leader not in victims
    survivors = ens.running_ids()
    write_through(survivors, "three-of-five")

    # A third down: two of five cannot commit anything, and stop serving.
    third = next(sid for sid in survivors if sid != leader)
    ens.kill(third)
    remaining = ens.running_ids()
    assert write_fails(ens, remaining)
    wait_until(lambda: all(ens.mode(sid) is None for sid in remaining), timeout=15,
               message=f"servers {remaining} to stop serving without a quorum")
    assert write_fails(ens, remaining)

    # One back: a quorum again, writes resume, and nothing acknowledged earlier is missing.
    ens.start_member(third)
    leader = ens.wait_for_quorum(timeout=30)
    write_through(ens.running_ids(), "quorum-again")
    tree = read_tree(ens.client([leader]), "/quorum")
    missing = [path for path in acknowledged if path not in tree]
    assert not missing
    assert len([p for p in tree if "/quorum/quorum-again-" in p]) == 5


def test_sigkilled_follower_restarts_on_its_data_and_rejoins(ensembles):
    ens = ensembles(THREE)
    writer = ens.client()
    writer.create_async("/restart").get(timeout=OP_TIMEOUT)
    for i in range(20):
        writer.create_async(f"/restart/before-{i}", b"x").get(timeout=OP_TIMEOUT)
    sid = ens.followers()[0]
    ens.kill(sid)
    ens.wait_for_quorum(timeout=30)
    for i in range(20):
        writer.create_async(f"/restart/after-{i}", b"y").get(timeout=OP_TIMEOUT)
    ens.restart(sid)
    tree = read_tree(ens.client([sid]), "/restart")
    assert len(tree) == 41 and all(tree[f"/restart/after-{i}"] == b"y" for i in range(20))
    wait_for_equal_zxids(ens)
