"""A mixed ensemble, Aviary and Debian's ZooKeeper 3.8, with TLS between its members (sslQuorum) using the PEM
files `aviary-server certs` writes: writes through one kind are read through the other, and that holds whichever
kind leads. One leader kill is enough for both kinds to lead: the first leader is server.3 (ZooKeeper, the highest
id) or server.2 (Aviary, when the Aviary members form a quorum before the JVM is up); either way the survivors with
the same history elect the other kind's highest id.

Under INTEROP_TARGET=zookeeper every member is ZooKeeper, which proves the test itself.
"""
import json
import shutil
import tempfile

import pytest

import tls
from ensemble import wait_for_equal_zxids
from test_ensemble_mixed import assert_every_member_reads, write_through_each

KINDS = ["aviary", "aviary", "zookeeper"]
OP_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def certs():
    directory = tempfile.mkdtemp(prefix="interop-tls-mixed-")
    yield tls.make_certs(directory, servers=[1, 2, 3])
    shutil.rmtree(directory, ignore_errors=True)


def test_mixed_ensemble_over_tls_replicates_whichever_kind_leads(ensembles, certs):
    ens = ensembles(KINDS, tls=tls.TLS(certs, client=False))
    clients = {sid: ens.client([sid]) for sid in ens.ids}
    root = "/tls-mixed"
    clients[1].create_async(root, b"").get(timeout=OP_TIMEOUT)
    expected = {root: b""}
    expected.update(write_through_each(ens, clients, root, "initial"))
    assert_every_member_reads(ens, clients, root, expected)
    wait_for_equal_zxids(ens)

    old = ens.leader_id()
    ens.kill(old)
    new = ens.wait_for_new_leader(old, timeout=30)
    ens.wait_for_quorum(timeout=30)
    expected.update(write_through_each(ens, clients, root, "after-kill"))
    ens.restart(old)
    assert ens.mode(old) == "follower" and ens.leader_id() == new
    expected.update(write_through_each(ens, clients, root, "rejoined"))
    assert_every_member_reads(ens, clients, root, expected)
    wait_for_equal_zxids(ens)

    leaders = [old, new]
    print(json.dumps({"measurement": "tls_mixed_ensemble", "kinds": ens.kinds,
                      "leaders": [f"{sid}:{ens.member(sid).kind}" for sid in leaders]}))
    assert {ens.member(sid).kind for sid in leaders} == set(ens.kinds), "every kind has led"
