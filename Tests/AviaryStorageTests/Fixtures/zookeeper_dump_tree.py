#!/usr/bin/env python3
"""Starts Apache ZooKeeper 3.8 on a copy of a data directory and prints the tree it serves as JSON.

Used by the Swift test that checks ZooKeeper can start on a data directory Aviary wrote. Runs a one-member
ensemble (standaloneEnabled=false, so ZooKeeper also reads the epoch files) on loopback ports, walks every node
outside /zookeeper with kazoo, prints {"nodes": [{"path", "data" (base64 or null), "stat": [...11 fields]}],
"digestMismatches": n} (ZooKeeper's zk_digest_mismatches_count from `mntr`: how many times a tree digest it
computed differed from a snapshot's or a txn's), and stops the server. Exit status 2 means ZooKeeper did not come up; its log goes to stderr.

Usage: zookeeper_dump_tree.py <dataDir containing version-2>
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

CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serving(port):
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"srvr")
            return "Mode: leader" in s.recv(4096).decode(errors="replace")
    except OSError:
        return False


def mismatches(port):
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(b"mntr")
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    for line in b"".join(chunks).decode(errors="replace").splitlines():
        key, _, value = line.partition("\t")
        if key == "zk_digest_mismatches_count":
            return int(value)
    raise RuntimeError("mntr has no zk_digest_mismatches_count")


def walk(zk, path, nodes):
    data, stat = zk.get(path)
    nodes.append({
        "path": path,
        "data": None if data is None else base64.b64encode(data).decode(),
        "stat": [stat.czxid, stat.mzxid, stat.ctime, stat.mtime, stat.version, stat.cversion, stat.aversion,
                 stat.ephemeralOwner, stat.dataLength, stat.numChildren, stat.pzxid],
    })
    for child in sorted(zk.get_children(path)):
        if path == "/" and child == "zookeeper":
            continue
        walk(zk, ("" if path == "/" else path) + "/" + child, nodes)


def main():
    source = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="zk-reads-aviary-")
    process = None
    log_path = os.path.join(workdir, "server.log")
    try:
        data = os.path.join(workdir, "data")
        shutil.copytree(source, data)
        with open(os.path.join(data, "myid"), "w") as f:
            f.write("1")
        client, quorum, election = free_port(), free_port(), free_port()
        cfg = os.path.join(workdir, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write(f"tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir={data}\nstandaloneEnabled=false\n"
                    f"admin.enableServer=false\n4lw.commands.whitelist=*\n"
                    f"server.1={HOST}:{quorum}:{election};{HOST}:{client}\n")
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                ["java", "-Xmx256m", f"-Dzookeeper.log.dir={workdir}", "-Dzookeeper.root.logger=INFO,CONSOLE",
                 "-Dzookeeper.extendedTypesEnabled=true", "-cp", CLASSPATH,
                 "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)
        deadline = time.monotonic() + 60
        while not serving(client):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write(open(log_path, errors="replace").read()[-6000:])
                sys.exit(2)
            time.sleep(0.2)
        zk = KazooClient(hosts=f"{HOST}:{client}")
        zk.start(timeout=20)
        nodes = []
        walk(zk, "/", nodes)
        zk.stop()
        zk.close()
        print(json.dumps({"nodes": nodes, "digestMismatches": mismatches(client)}))
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
