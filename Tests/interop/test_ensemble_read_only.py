"""Read-only mode (`readonlymode.enabled=true`): a member cut off from the quorum serves reads to new clients that
accept a read-only server (on local sessions), refuses their writes with NOTREADONLY, turns away other clients and
sessions of the ensemble (their ephemerals may be expiring on the other side), and serves normally again once the
quorum is back.

Every "aviary" member is a ZooKeeper 3.8 member under INTEROP_TARGET=zookeeper, which proves the test itself.
ZooKeeper takes the switch as a JVM property (the harness passes it) and needs `localSessionsEnabled=true` (plus
upgrading, for ephemerals) for new read-only sessions: without it, it answers them with a bare NOTREADONLY header
that clients cannot parse. Aviary's read-only sessions are always local; it ignores those keys with a warning.
"""
import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import NotReadOnlyCallError
from kazoo.handlers.threading import KazooTimeoutError

import harness
from conftest import wait_until

THREE = ["aviary", "aviary", "aviary"]
OP_TIMEOUT = 10.0
READ_ONLY = {"readonlymode.enabled": "true", "localSessionsEnabled": "true", "localSessionsUpgradingEnabled": "true"}


def refused(host, port, read_only):
    client = KazooClient(hosts=f"{host}:{port}", timeout=5.0, read_only=read_only,
                         connection_retry={"max_tries": 1, "delay": 0.1})
    try:
        client.start(timeout=3)
    except KazooTimeoutError:
        return True
    finally:
        client.stop()
        client.close()
    return False


def test_member_without_quorum_serves_reads_only_then_rejoins(ensembles):
    ens = ensembles(THREE, extra_config=READ_ONLY)
    writer = ens.client()
    writer.create_async("/ro", b"before").get(timeout=OP_TIMEOUT)
    writer.sync("/ro")
    survivor = next(sid for sid in ens.ids if sid != ens.leader_id())
    wait_until(lambda: (ens.member(survivor).zxid() or 0) >= ens.member(ens.leader_id()).zxid(),
               timeout=OP_TIMEOUT, message="the survivor to have the write")
    member = ens.member(survivor)
    ensemble_session = ens.client([survivor], read_only=True)
    # An ephemeral makes the session global under ZooKeeper's local sessions too (Aviary's always are).
    ensemble_session.create_async("/ro/owner", b"", ephemeral=True).get(timeout=OP_TIMEOUT)

    for sid in ens.ids:
        if sid != survivor:
            ens.kill(sid)
    wait_until(lambda: harness.four_letter_word(member.port, "isro", timeout=1.0).strip() == "ro", timeout=30,
               message=f"server.{survivor} to turn read-only")

    reader = ens.client([survivor], read_only=True)
    assert reader.client_state == "CONNECTED_RO"
    assert reader.get("/ro")[0] == b"before"
    assert reader.exists("/ro") is not None
    with pytest.raises(NotReadOnlyCallError):
        reader.create("/ro/child", b"x", ephemeral=True)
    with pytest.raises(NotReadOnlyCallError):
        reader.set("/ro", b"changed")

    assert refused(member.host, member.port, read_only=False), "a read-write client was let in"
    assert ensemble_session.client_state != "CONNECTED_RO", "a session of the ensemble carried on read-only"

    for sid in ens.ids:
        if sid != survivor:
            ens.start_member(sid)
    ens.wait_for_quorum(timeout=30)
    assert harness.four_letter_word(member.port, "isro", timeout=2.0).strip() == "rw"
    writer = ens.client([survivor])
    writer.set_async("/ro", b"after").get(timeout=OP_TIMEOUT)
    assert writer.get("/ro")[0] == b"after"
