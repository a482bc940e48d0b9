#!/usr/bin/env python3
"""Regenerates Fixtures/zookeeper-3.8: a data directory written by Apache ZooKeeper 3.8 itself.

Needs java, Debian's zookeeper package (/usr/share/java/zookeeper.jar) and kazoo. Runs a one-member ensemble
(standaloneEnabled=false, so epoch files and epoch-numbered zxids exist) on loopback in two lives:

  1. raw snapshots, snapCount=16 so logs roll: persistent, sequential, ephemeral, container and TTL nodes,
     null and empty data, digest ACLs, setData, setACL, delete, a multi, a failed multi; one session is
     dropped without closing it;
  2. restarted with gzip snapshots: the dropped session expires (closeSession deletes its ephemerals),
     more writes, and a session that stays open with its ephemerals.

Then it walks the tree with kazoo and writes expected.json: every node's data, stat and ACL, and the sessions
still open. Log segments are preallocated in 16 KiB steps (zookeeper.preAllocSize) to keep the fixture small;
their zero tails are left as ZooKeeper wrote them.

Usage: python3 make_zookeeper_fixture.py   (rewrites the zookeeper-3.8 directory next to this file)
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from kazoo.client import KazooClient
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "interop"))
import rawzk  # noqa: E402  (containers and TTL nodes, which kazoo cannot create)

CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
HOST = "127.0.0.1"
TARGET = os.path.join(HERE, "zookeeper-3.8")


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ruok(port):
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"srvr")
            reply = s.recv(4096).decode(errors="replace")
            return reply.startswith("Zookeeper version") and "Mode: leader" in reply
    except OSError:
        return False


def start(workdir, ports, compression):
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "myid"), "w") as f:
        f.write("1")
    client, quorum, election = ports
    cfg = os.path.join(workdir, "zoo.cfg")
    with open(cfg, "w") as f:
        f.write(f"tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir={data}\nsnapCount=16\n"
                f"standaloneEnabled=false\nadmin.enableServer=false\n4lw.commands.whitelist=*\n"
                f"server.1={HOST}:{quorum}:{election};{HOST}:{client}\n")
    log = open(os.path.join(workdir, f"server-{compression or 'raw'}.log"), "w")
    argv = ["java", "-Xmx256m", f"-Dzookeeper.log.dir={workdir}", "-Dzookeeper.root.logger=INFO,CONSOLE",
            "-Dzookeeper.preAllocSize=16", "-Dzookeeper.extendedTypesEnabled=true",
            f"-Dzookeeper.snapshot.compression.method={compression}",
            "-cp", CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg]
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)
    deadline = time.monotonic() + 60
    while not ruok(client):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("ZooKeeper did not start; see " + log.name)
        time.sleep(0.2)
    return process


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def first_life(port):
    zk = KazooClient(hosts=f"{HOST}:{port}")
    zk.start()
    zk.create("/app", b"application root")
    zk.create("/app/config", b'{"replicas": 3}')
    zk.create("/app/null-data", None)
    zk.create("/app/empty-data", b"")
    for index in range(5):
        zk.create("/app/queue/item-", f"job {index}".encode(), sequence=True, makepath=True)
    zk.set("/app/config", b'{"replicas": 5}')
    zk.set("/app/config", b'{"replicas": 7}')
    zk.delete("/app/queue/item-0000000001")
    zk.add_auth("digest", "alice:secret")
    alice = make_digest_acl("alice", "secret", all=True)
    zk.create("/secure", b"only alice", acl=[alice])
    zk.create("/secure/child", b"readable", acl=[alice] + list(READ_ACL_UNSAFE))
    zk.set_acls("/app/empty-data", list(READ_ACL_UNSAFE) + list(OPEN_ACL_UNSAFE))
    transaction = zk.transaction()
    transaction.create("/multi", b"from a multi")
    transaction.create("/multi/a", b"a")
    transaction.set_data("/app/config", b'{"replicas": 9}')
    transaction.commit()
    failed = zk.transaction()
    failed.create("/never", b"x")
    failed.delete("/does-not-exist")
    failed.commit()

    raw = rawzk.RawClient(HOST, port)
    raw.create("/containers", b"")
    raw.create("/containers/c1", b"container", flags=rawzk.CONTAINER)
    raw.create("/containers/c1/member", b"keeps c1 alive")
    raw.create("/ttl", b"ttl node", flags=rawzk.PERSISTENT_WITH_TTL, ttl=3_600_000)
    raw.create("/ttl-seq-", b"ttl sequential", flags=rawzk.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl=7_200_000)
    raw.close()

    # A session that is dropped, not closed: its ephemerals survive this life and expire in the next.
    doomed = rawzk.RawClient(HOST, port, timeout_ms=2000)
    doomed.create("/app/doomed-ephemeral", b"expires after restart", flags=rawzk.EPHEMERAL)
    doomed.drop()
    for index in range(20):
        zk.create(f"/bulk/n{index:02d}", f"bulk {index}".encode(), makepath=True)
    zk.stop()
    zk.close()


def second_life(port):
    zk = KazooClient(hosts=f"{HOST}:{port}")
    zk.start()
    time.sleep(4)  # the dropped session's timeout passes; its closeSession is logged
    zk.set("/app", b"application root, second life")
    zk.delete("/bulk/n05")
    zk.create("/app/queue/item-", b"job 6", sequence=True)
    # Delete and re-create under the same parent: replay over a fuzzy snapshot meets NODEEXISTS here.
    zk.delete("/bulk/n07")
    zk.create("/bulk/n07", b"again")
    survivor = KazooClient(hosts=f"{HOST}:{port}", timeout=30)
    survivor.start()
    survivor.create("/app/live-ephemeral", b"owned by an open session", ephemeral=True)
    survivor.create("/app/live-seq-", b"ephemeral sequential", ephemeral=True, sequence=True)
    for index in range(20, 30):
        zk.create(f"/bulk/n{index:02d}", f"bulk {index}".encode())
    zk.add_auth("digest", "alice:secret")  # to read /secure
    expected = {"nodes": walk(zk, "/"), "sessions": [survivor.client_id[0]]}
    zk.stop()
    zk.close()
    return expected, survivor


def walk(zk, path):
    nodes = []
    data, stat = zk.get(path)
    acl, _ = zk.get_acls(path)
    nodes.append({
        "path": path,
        "data": None if data is None else base64.b64encode(data).decode(),
        "stat": [stat.czxid, stat.mzxid, stat.ctime, stat.mtime, stat.version, stat.cversion, stat.aversion,
                 stat.ephemeralOwner, stat.dataLength, stat.numChildren, stat.pzxid],
        "acl": [[entry.perms, entry.id.scheme, entry.id.id] for entry in acl],
    })
    for child in sorted(zk.get_children(path)):
        if path == "/" and child == "zookeeper":
            continue
        nodes.extend(walk(zk, ("" if path == "/" else path) + "/" + child))
    return nodes


def main():
    workdir = tempfile.mkdtemp(prefix="zk-fixture-")
    ports = (free_port(), free_port(), free_port())
    try:
        process = start(workdir, ports, "")
        try:
            first_life(ports[0])
        finally:
            stop(process)
        process = start(workdir, ports, "gz")
        try:
            expected, survivor = second_life(ports[0])
        finally:
            stop(process)  # the survivor's session is still open when the server stops
        survivor.stop()
        shutil.rmtree(TARGET, ignore_errors=True)
        os.makedirs(TARGET)
        shutil.copytree(os.path.join(workdir, "data", "version-2"), os.path.join(TARGET, "version-2"))
        with open(os.path.join(TARGET, "expected.json"), "w") as f:
            json.dump(expected, f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote", TARGET, sorted(os.listdir(os.path.join(TARGET, "version-2"))))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
