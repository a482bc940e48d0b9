"""A three-server ensemble with TLS between its members (sslQuorum) and TLS client ports: a writer over TLS keeps
its acknowledged writes through a SIGKILL of the leader, and a member whose certificate comes from another CA cannot
join while the other two keep a quorum and serve. With portUnification, members that speak TLS and a member that
does not yet (the middle of a rolling switch to TLS) form one ensemble.
"""
import os
import shutil
import tempfile
import time

import pytest

import tls
from conftest import wait_until
from ensemble import wait_for_equal_zxids
from test_ensemble_failover import SequentialWriter, verify_load

THREE = ["aviary"] * 3
OP_TIMEOUT = 10.0
WRITES = 50            # acknowledged writes before the kill, and again under the new leader
OUTSIDER_WAIT = 6.0    # more than initLimit (10 ticks of 500 ms) for the outsider to try joining
# What a member logs when a peer's certificate does not chain to its CA: Aviary's requirement, and the text of the
# SSLHandshakeException ZooKeeper 3.8 logs (after "Exception reading or writing challenge").
REFUSED_HANDSHAKE_LOG = {"aviary": "TLS handshake failed",
                         "zookeeper": "Path does not chain with any of the trust anchors"}


@pytest.fixture(scope="module")
def certs():
    directory = tempfile.mkdtemp(prefix="interop-tls-ensemble-")
    good = tls.make_certs(os.path.join(directory, "good"), servers=[1, 2, 3], clients=["alice", "admin"])
    other = tls.make_certs(os.path.join(directory, "other"), servers=[3])
    yield good, other
    shutil.rmtree(directory, ignore_errors=True)


def test_tls_writer_keeps_acknowledged_writes_through_leader_kill(ensembles, certs):
    good, _ = certs
    ens = ensembles(THREE, tls=tls.TLS(good))
    old_leader = ens.leader_id()
    setup = ens.client(secure=True, **tls.kazoo_tls_args(good, "admin"))
    setup.create_async("/load").get(timeout=OP_TIMEOUT)
    client = ens.client(secure=True, command_retry=None, **tls.kazoo_tls_args(good, "alice"))
    writer = SequentialWriter(client)
    writer.start()
    try:
        wait_until(lambda: len(writer.acked) >= WRITES, timeout=20, message=f"{WRITES} writes before the kill")
        old_epoch = max(czxid >> 32 for _, _, czxid in writer.acked)
        ens.kill(old_leader)
        new_leader = ens.wait_for_new_leader(old_leader, timeout=30)
        wait_until(lambda: len(writer.acked_in_epoch_after(old_epoch)) >= WRITES, timeout=30,
                   message=f"{WRITES} writes committed under the new leader")
    finally:
        writer.stop_event.set()
        writer.join(timeout=10)
    assert not writer.is_alive()
    assert new_leader != old_leader

    # Every member, the old leader back as a follower among them, holds every acknowledged write.
    ens.restart(old_leader)
    assert ens.leader_id() == new_leader
    for sid in ens.ids:
        verify_load(ens.client([sid], secure=True, **tls.kazoo_tls_args(good, "admin")), writer)
    wait_for_equal_zxids(ens)


def test_member_with_certificate_from_another_ca_cannot_join(ensembles, certs):
    good, other = certs
    ens = ensembles(THREE, tls=tls.TLS(good, member_certs={3: other}), wait=False)
    modes = {sid: ens.wait_for_mode(sid, timeout=60) for sid in (1, 2)}
    assert sorted(modes.values()) == ["follower", "leader"]
    client = ens.client([1, 2], secure=True, **tls.kazoo_tls_args(good, "alice"))
    for i in range(10):
        client.create_async(f"/without-3-{i}", b"x").get(timeout=OP_TIMEOUT)

    deadline = time.monotonic() + OUTSIDER_WAIT
    while time.monotonic() < deadline:
        assert ens.member(3).running, f"server.3 exited\n{ens.describe()}"
        assert ens.mode(3) is None, f"server.3 serves as {ens.mode(3)} with another CA's certificate"
        time.sleep(0.2)
    assert ens.modes() == {1: modes[1], 2: modes[2], 3: None}
    assert client.get_async("/without-3-9").get(timeout=OP_TIMEOUT)[0] == b"x"
    refusals = [sid for sid in (1, 2) if REFUSED_HANDSHAKE_LOG[ens.member(sid).kind] in ens.member(sid).log()]
    assert refusals, f"neither server.1 nor server.2 logged a refused handshake\n{ens.describe()}"


def test_port_unification_joins_tls_and_plain_members(ensembles, certs):
    good, _ = certs
    ens = ensembles(THREE, tls=tls.TLS(good, client=False, member_config={3: {"sslQuorum": "false"}}),
                    extra_config={"portUnification": "true"})
    clients = {sid: ens.client([sid]) for sid in ens.ids}
    clients[3].create_async("/unified", b"via 3").get(timeout=OP_TIMEOUT)
    # One leader kill: server.3, without TLS, has then followed a TLS leader or been the leader of TLS followers
    # (as the first leader, or elected after the kill as the highest id).
    leader = ens.leader_id()
    ens.kill(leader)
    ens.wait_for_new_leader(leader, timeout=30)
    ens.restart(leader)
    ens.wait_for_quorum(timeout=30)
    clients[1].create_async("/unified/via-1", b"").get(timeout=OP_TIMEOUT)
    for sid in ens.ids:
        clients[sid].sync_async("/unified").get(timeout=OP_TIMEOUT)
        assert clients[sid].get_children_async("/unified").get(timeout=OP_TIMEOUT) == ["via-1"]
    wait_for_equal_zxids(ens)
