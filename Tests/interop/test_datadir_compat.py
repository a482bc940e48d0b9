"""A data directory moves between ZooKeeper 3.8 and Aviary in both directions: each server starts on the
other's files and serves every znode with identical data, Stat and ACL."""
import os
import shutil
import tempfile

import pytest
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl

import harness

pytestmark = pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") != "aviary",
                                reason="moves data between Aviary and ZooKeeper")

CONFIG = {"snapCount": "40", "preAllocSize": "256"}


def load(client):
    """A little of everything: nesting, null and binary data, versions, ACLs, sequential and container nodes,
    deletions (so cversions differ from child counts)."""
    client.create("/compat", b"root")
    for i in range(60):
        client.create(f"/compat/n{i:02d}", f"value {i}".encode())
    for i in range(0, 60, 3):
        client.set(f"/compat/n{i:02d}", b"changed" * i)
    for i in range(0, 60, 7):
        client.delete(f"/compat/n{i:02d}")
    client.create("/compat/binary", bytes(range(256)))
    client.create("/compat/null", None)
    client.create("/compat/seq/s-", b"", sequence=True, makepath=True)
    client.create("/compat/seq/s-", b"", sequence=True)
    client.create("/compat/acl", b"secret", acl=[make_digest_acl("alice", "pw", all=True)])


def snapshot_tree(client, path="/"):
    """Every node below `path` as {path: (data, stat, acl)}."""
    nodes = {}
    stack = [path]
    while stack:
        current = stack.pop()
        data, stat = client.get(current)
        acl, _ = client.get_acls(current)
        nodes[current] = (data, tuple(stat), tuple((a.perms, a.id.scheme, a.id.id) for a in acl))
        for child in client.get_children(current):
            stack.append(current.rstrip("/") + "/" + child)
    return nodes


def run_and_capture(kind, data_dir, write):
    server = harness.start(kind, extra_config=dict(CONFIG, dataDir=data_dir))
    try:
        client = KazooClient(server.connect_string, timeout=10)
        client.start(timeout=10)
        client.add_auth("digest", "alice:pw")
        try:
            if write:
                load(client)
            return snapshot_tree(client, "/compat")
        finally:
            client.stop()
            client.close()
    finally:
        server.process.terminate()
        server.process.wait(timeout=20)
        shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.mark.parametrize("writer, reader", [("zookeeper", "aviary"), ("aviary", "zookeeper")])
def test_data_directory_moves_between_servers(writer, reader):
    data_dir = tempfile.mkdtemp(prefix=f"compat-{writer}-to-{reader}-")
    try:
        written = run_and_capture(writer, data_dir, write=True)
        assert len(written) > 50
        read_back = run_and_capture(reader, data_dir, write=False)
        assert set(read_back) == set(written), (sorted(set(written) - set(read_back)), sorted(set(read_back) - set(written)))
        for path in written:
            assert read_back[path] == written[path], path
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
