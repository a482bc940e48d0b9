#!/usr/bin/env python3
"""Capture golden quorum traffic (election port and learner port) from a real ZooKeeper 3.8 ensemble.

Re-run (as root, or with CAP_NET_RAW: it reads loopback packets the way tcpdump does):

    sudo python3 Tests/AviaryWireTests/Fixtures/quorum/capture.py [--out DIR] [--keep-logs]

then run the Swift tests (`swift test --filter 'AviaryWireTests'`). Session ids, zxids, ports and times differ from
run to run; the tests compare against the `.txt` renderings written next to the bytes, never against constants.

What it does
  1. Starts a packet reader on the loopback interface (AF_PACKET). It keeps only TCP segments to or from the quorum
     and election ports of the ensemble below, and rebuilds every connection's two byte streams from the segments'
     sequence numbers. ZooKeeper's connections are not touched: no proxy, no rewritten addresses. (A relay in front
     of a peer would not do: a server dials back the address a peer announces in its election handshake, which
     is the peer's real port, so the surviving election connections would bypass the relay.)
  2. Starts a 3-server ZooKeeper 3.8 ensemble (Debian's package) on 127.0.0.1 with free ports, with
     snapshotSizeFactor=-1 so that a learner outside the leader's committed log gets a SNAP rather than a replay
     of the on-disk log. Scenario, each step provoking the packets named:
       a. election among three fresh servers            handshakes, notifications; FOLLOWERINFO, LEADERINFO,
                                                        ACKEPOCH, DIFF, NEWLEADER, ACK, UPTODATE
       b. kazoo on a follower writes a few nodes        REQUEST (forwarded createSession/create/setData/delete),
                                                        PROPOSAL, ACK, COMMIT; PING with session touches
       c. a second client re-attaches that session      REVALIDATE both ways
          on the other follower
       d. a follower is stopped and wiped; more writes; SNAP + snapshot + "BenWasHere"
          it restarts
       d'. the other follower is stopped; more writes;  DIFF followed by PROPOSAL/COMMIT pairs
          it restarts
       e. both followers are killed, the leader logs a  TRUNC (the old leader comes back with a txn the new
          write no one acknowledges and is killed; the  leader never committed); notifications from
          followers elect a new leader; the old leader  FOLLOWING and LEADING servers; PROPOSAL/COMMIT of
          rejoins; one more write                       the new epoch
  3. Rebuilds each connection: an election connection is an optional handshake then `int length` + message
     frames; a learner connection is bare jute QuorumPackets, with a snapshot and its signature after SNAP. Each
     direction of each connection becomes one fixture (a prefix cut at a message boundary, to keep the files small):
         DIR/<name>.hex   the bytes as lowercase hex, 64 digits a line
         DIR/<name>.txt   one line per message as decoded here, independently of Aviary (the Swift tests render
                          their own decoding the same way and compare)
         DIR/MANIFEST.tsv name, port (election|learner), dialer (yes: the bytes the connecting side wrote),
                          from, to (server ids), messages kept, messages seen
  4. Stops every process it started (through its Popen, i.e. by pid) and removes the ensemble's directories
     (unless --keep-logs).

Rendering grammar of the .txt files (hex is lowercase without leading zeros; zxids as unsigned 64-bit):
    handshake  = "handshake " ("legacy sid=" dec | ("v1"|"v2") " sid=" dec " addresses=" addr *("|" addr))
    notification = "notification state=" NAME " leader=" dec " zxid=0x" hex " electionEpoch=0x" hex
                   " peerEpoch=0x" hex " version=" dec " config=" dec
    packet     = TYPE " zxid=0x" hex " data=" ("null" | dec) " auth=" ("null" | ids) [" " detail]
    snapshot   = "snapshot bytes=" dec " sessions=" dec " acls=" dec " nodes=" dec
    detail (by type and data): FOLLOWERINFO/OBSERVERINFO "learner=" sid "/0x" protocol "/0x" configVersion;
      LEADERINFO "protocol=0x" hex; ACKEPOCH "currentEpoch=" dec; PROPOSAL/INFORM "txn=" type "/0x" session
      "/" cxid "/0x" zxid; PING with data "touches=" ("none" | 0xsession ":" timeout *("," ...));
      REVALIDATE "session=0x" hex ("/timeout=" dec | "/valid=" ("true"|"false")); REQUEST "session=0x" hex
      "/cxid=" dec "/op=" dec "/body=" dec; COMMITANDACTIVATE "suggestedLeader=" dec
"""
import argparse
import logging
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from kazoo.client import KazooClient

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
ZK_CLASSPATH = ["/etc/zookeeper/conf", "/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-log4j12.jar",
                "/usr/share/java/log4j-1.2.jar"]

# tickTime 2000: PINGs every second, session timeouts from 4 s; the leader checks its quorum every half tick,
# which is the window step (e) relies on.
CONFIG = {"tickTime": "2000", "initLimit": "10", "syncLimit": "5", "snapshotSizeFactor": "-1",
          "admin.enableServer": "false", "4lw.commands.whitelist": "srvr"}

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6

# How much of each stream is kept: every message up to these limits, cut at a message boundary.
ELECTION_MESSAGES_MAX = 6
ELECTION_CONNECTIONS_MAX = 16
LEARNER_BYTES_MAX = 3000

PACKET_TYPES = {
    1: "REQUEST", 2: "PROPOSAL", 3: "ACK", 4: "COMMIT", 5: "PING", 6: "REVALIDATE", 7: "SYNC", 8: "INFORM",
    9: "COMMITANDACTIVATE", 10: "NEWLEADER", 11: "FOLLOWERINFO", 12: "UPTODATE", 13: "DIFF", 14: "TRUNC",
    15: "SNAP", 16: "OBSERVERINFO", 17: "LEADERINFO", 18: "ACKEPOCH", 19: "INFORMANDACTIVATE",
}
STATES = {0: "LOOKING", 1: "FOLLOWING", 2: "LEADING", 3: "OBSERVING"}
# What the Swift tests expect the captures to hold (QuorumFixtureInventoryTests).
REQUIRED_KINDS = {"handshake", "notification", "FOLLOWERINFO", "LEADERINFO", "ACKEPOCH", "DIFF", "TRUNC", "SNAP",
                  "snapshot", "NEWLEADER", "UPTODATE", "PROPOSAL", "ACK", "COMMIT", "PING", "REQUEST", "REVALIDATE"}


# --- Loopback capture ---------------------------------------------------------------------------------------------

class Flow:
    """One direction of one TCP connection: payload segments by offset from the initial sequence number."""

    def __init__(self):
        self.isn = None
        self.segments = {}

    def add(self, seq, payload):
        if self.isn is None or not payload:
            return
        offset = (seq - self.isn - 1) % (1 << 32)
        if len(payload) > len(self.segments.get(offset, b"")):
            self.segments[offset] = payload

    def stream(self):
        """The contiguous bytes from offset 0, and whether a gap cut them short."""
        data = bytearray()
        for offset in sorted(self.segments):
            segment = self.segments[offset]
            if offset > len(data):
                return bytes(data), True
            data += segment[len(data) - offset:]
        return bytes(data), False


class Connection:
    def __init__(self, client_port, server_port, opened):
        self.client_port = client_port
        self.server_port = server_port
        self.opened = opened
        self.to_server = Flow()
        self.to_client = Flow()


class LoopbackCapture:
    """Reads every packet on `lo` and keeps the TCP connections whose server port is in `ports`."""

    def __init__(self, ports):
        self.ports = set(ports)
        self.connections = []
        self._open = {}  # (client port, server port) -> the newest Connection
        self._stop = threading.Event()
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=5)
        stats = self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        self.sock.close()
        packets, drops = struct.unpack("II", stats)
        return drops

    def _run(self):
        while not self._stop.is_set():
            try:
                frame, address = self.sock.recvfrom(1 << 18)
            except socket.timeout:
                continue
            if address[2] == PACKET_OUTGOING:  # loopback shows each packet twice; keep the incoming copy
                continue
            self._packet(frame)

    def _packet(self, frame):
        if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
            return
        ip = frame[14:]
        header_length = (ip[0] & 0x0F) * 4
        total_length = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6:
            return
        tcp = ip[header_length:total_length]
        source, destination, seq = struct.unpack(">HHI", tcp[:8])
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        syn, ack = flags & 0x02, flags & 0x10
        if destination in self.ports:
            key, to_server = (source, destination), True
        elif source in self.ports:
            key, to_server = (destination, source), False
        else:
            return
        if syn and not ack and to_server:
            connection = Connection(source, destination, time.monotonic())
            self._open[key] = connection
            self.connections.append(connection)
        connection = self._open.get(key)
        if connection is None:
            return
        flow = connection.to_server if to_server else connection.to_client
        if syn:
            flow.isn = seq
        flow.add(seq, payload)


# --- Independent decoders (the Swift tests must agree with these) ---------------------------------------------------

class Incomplete(Exception):
    pass


class Reader:
    def __init__(self, data, offset=0):
        self.data = data
        self.offset = offset

    def take(self, n):
        if n < 0 or self.offset + n > len(self.data):
            raise Incomplete()
        chunk = self.data[self.offset:self.offset + n]
        self.offset += n
        return chunk

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def long(self):
        return struct.unpack(">q", self.take(8))[0]

    def buffer(self):
        n = self.int()
        return None if n == -1 else self.take(n)

    def string(self):
        b = self.buffer()
        return None if b is None else b.decode("utf-8", "replace")


def hx(value):
    return format(value & 0xFFFFFFFFFFFFFFFF, "x")


def election_messages(data, dialer):
    """[(end offset, rendering)] of an election stream."""
    out = []
    r = Reader(data)
    try:
        if dialer:
            first = r.long()
            if first >= 0:
                out.append((r.offset, f"handshake legacy sid={first}"))
            else:
                version = {-65536: "v1", -65535: "v2"}[first]
                sid = r.long()
                text = r.take(r.int()).decode()
                out.append((r.offset, f"handshake {version} sid={sid} addresses={text}"))
        while True:
            message = r.take(r.int())
            out.append((r.offset, render_notification(message)))
    except Incomplete:
        return out


def render_notification(m):
    state, leader, zxid, election_epoch = struct.unpack(">iqqq", m[:28])
    version, config = 0, b""
    if len(m) == 28:
        peer_epoch = zxid >> 32
    else:
        peer_epoch = struct.unpack(">q", m[28:36])[0]
        if len(m) != 40:
            version = struct.unpack(">i", m[36:40])[0]
    if version > 1:
        n = struct.unpack(">i", m[40:44])[0]
        config = m[44:44 + n]
    return (f"notification state={STATES[state]} leader={leader} zxid=0x{hx(zxid)} "
            f"electionEpoch=0x{hx(election_epoch)} peerEpoch=0x{hx(peer_epoch)} version={version} "
            f"config={len(config)}")


def learner_items(data):
    """[(end offset, rendering, packet type or None)] of a learner stream."""
    out = []
    r = Reader(data)
    try:
        while r.offset < len(data):
            ptype, zxid = r.int(), r.long()
            payload = r.buffer()
            count = r.int()
            ids = None if count == -1 else [(r.string(), r.string()) for _ in range(count)]
            out.append((r.offset, render_packet(ptype, zxid, payload, ids), ptype))
            if ptype == 15:
                rendering = read_snapshot(r)
                out.append((r.offset, rendering, None))
    except Incomplete:
        pass
    return out


def read_snapshot(r):
    start = r.offset
    sessions = r.int()
    r.take(12 * sessions)
    acls = r.int()
    for _ in range(acls):
        r.long()
        for _ in range(r.int()):
            r.int()
            r.string()
            r.string()
    nodes = 0
    while True:
        path = r.string()
        if path == "/":
            break
        r.buffer()
        r.take(8 + 60)
        nodes += 1
    length = r.offset - start
    signature = r.string()
    if signature != "BenWasHere":
        raise SystemExit(f"snapshot signature {signature!r}")
    return f"snapshot bytes={length} sessions={sessions} acls={acls} nodes={nodes}"


def render_packet(ptype, zxid, payload, ids):
    name = PACKET_TYPES.get(ptype, f"type{ptype}")
    data = "null" if payload is None else str(len(payload))
    auth = "null" if ids is None else ",".join(f"{s}:{i}" for s, i in ids)
    line = f"{name} zxid=0x{hx(zxid)} data={data} auth={auth}"
    detail = packet_detail(name, payload)
    return f"{line} {detail}" if detail else line


def packet_detail(name, p):
    if p is None:
        return ""
    if name in ("FOLLOWERINFO", "OBSERVERINFO") and len(p) >= 20:
        sid, protocol, config = struct.unpack(">qiq", p[:20])
        return f"learner={sid}/0x{hx(protocol)}/0x{hx(config)}"
    if name == "LEADERINFO":
        return f"protocol=0x{hx(struct.unpack('>i', p)[0])}"
    if name == "ACKEPOCH":
        return f"currentEpoch={struct.unpack('>i', p)[0]}"
    if name in ("PROPOSAL", "INFORM"):
        client, cxid, zxid, _, txn_type = struct.unpack(">qiqqi", p[:32])
        return f"txn={txn_type}/0x{hx(client)}/{cxid}/0x{hx(zxid)}"
    if name == "PING":
        touches = [struct.unpack(">qi", p[i:i + 12]) for i in range(0, len(p), 12)]
        return "touches=" + (",".join(f"0x{hx(s)}:{t}" for s, t in touches) or "none")
    if name == "REVALIDATE" and len(p) == 12:
        session, timeout = struct.unpack(">qi", p)
        return f"session=0x{hx(session)}/timeout={timeout}"
    if name == "REVALIDATE" and len(p) == 9:
        session, valid = struct.unpack(">q?", p)
        return f"session=0x{hx(session)}/valid={'true' if valid else 'false'}"
    if name == "REQUEST":
        session, cxid, op = struct.unpack(">qii", p[:16])
        return f"session=0x{hx(session)}/cxid={cxid}/op={op}/body={len(p) - 16}"
    if name == "COMMITANDACTIVATE":
        return f"suggestedLeader={struct.unpack('>q', p)[0]}"
    return ""


# --- A small ensemble --------------------------------------------------------------------------------------------

class Ensemble:
    """Three ZooKeeper servers with ids 1..3, each with its own directory and free loopback ports."""

    def __init__(self, root):
        self.root = root
        sockets = []
        for _ in range(9):  # all bound at once so the ports are distinct
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
        ports = [s.getsockname()[1] for s in sockets]
        for s in sockets:
            s.close()
        self.ids = [1, 2, 3]
        self.client_port = {sid: ports[3 * i] for i, sid in enumerate(self.ids)}
        self.quorum_port = {sid: ports[3 * i + 1] for i, sid in enumerate(self.ids)}
        self.election_port = {sid: ports[3 * i + 2] for i, sid in enumerate(self.ids)}
        self.processes = {}
        self.clients = []
        lines = [f"server.{sid}={HOST}:{self.quorum_port[sid]}:{self.election_port[sid]};{HOST}:{self.client_port[sid]}"
                 for sid in self.ids]
        for sid in self.ids:
            os.makedirs(self.data_dir(sid))
            with open(os.path.join(self.data_dir(sid), "myid"), "w") as f:
                f.write(f"{sid}\n")
            settings = [f"{key}={value}" for key, value in CONFIG.items()]
            settings += [f"dataDir={self.data_dir(sid)}", f"clientPort={self.client_port[sid]}",
                         f"clientPortAddress={HOST}"]
            with open(self.config_path(sid), "w") as f:
                f.write("\n".join(settings + lines) + "\n")

    def workdir(self, sid):
        return os.path.join(self.root, f"s{sid}")

    def data_dir(self, sid):
        return os.path.join(self.workdir(sid), "data")

    def config_path(self, sid):
        return os.path.join(self.workdir(sid), "zoo.cfg")

    def start(self, sid):
        argv = ["java", "-Xmx256m", f"-Dzookeeper.log.dir={self.workdir(sid)}", "-Dzookeeper.root.logger=INFO,CONSOLE",
                "-cp", ":".join(p for p in ZK_CLASSPATH if os.path.exists(p)),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", self.config_path(sid)]
        with open(os.path.join(self.workdir(sid), "server.log"), "a") as log_file:
            self.processes[sid] = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL, cwd=self.workdir(sid))

    def stop(self, sid, sig=signal.SIGTERM):
        process = self.processes.pop(sid, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self, sid):
        self.stop(sid, signal.SIGKILL)

    def wipe(self, sid):
        shutil.rmtree(os.path.join(self.data_dir(sid), "version-2"), ignore_errors=True)

    def mode(self, sid):
        try:
            with socket.create_connection((HOST, self.client_port[sid]), timeout=2) as s:
                s.sendall(b"srvr")
                reply = b""
                while chunk := s.recv(4096):
                    reply += chunk
        except OSError:
            return None
        match = re.search(rb"^Mode: (\S+)", reply, re.MULTILINE)
        return match.group(1).decode() if match else None

    def wait_for_mode(self, sid, modes=("leader", "follower"), timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.mode(sid) in modes:
                return
            time.sleep(0.1)
        raise RuntimeError(f"server.{sid} not {modes} after {timeout}s; see {self.workdir(sid)}/server.log")

    def modes(self):
        return {sid: self.mode(sid) for sid in self.ids if sid in self.processes}

    def leader_id(self):
        leaders = [sid for sid, mode in self.modes().items() if mode == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def wait_for_quorum(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            modes = self.modes()
            if sorted(str(mode) for mode in modes.values()) == ["follower", "follower", "leader"]:
                return self.leader_id()
            time.sleep(0.1)
        raise RuntimeError(f"no quorum after {timeout}s: {self.modes()}")

    def followers(self):
        return [sid for sid, mode in self.modes().items() if mode == "follower"]

    def client(self, ids, timeout, start=True, **kwargs):
        hosts = ",".join(f"{HOST}:{self.client_port[sid]}" for sid in ids)
        client = KazooClient(hosts=hosts, timeout=timeout,
                             connection_retry={"max_tries": -1, "delay": 0.1, "backoff": 1.5, "max_delay": 0.5},
                             **kwargs)
        self.clients.append(client)
        if start:
            client.start(timeout=20)
        return client

    def stop_all(self, keep):
        for client in self.clients:
            close_client(client)
        for sid in list(self.processes):
            self.stop(sid)
        if keep:
            log(f"ensemble kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def close_client(client):
    for step in (client.stop, client.close):
        try:
            step()
        except Exception:
            pass


# --- Scenario ------------------------------------------------------------------------------------------------------

def log(message):
    print(f"[capture] {message}", flush=True)


def drive(ens):
    leader = ens.wait_for_quorum(60)
    followers = sorted(ens.followers())
    log(f"(a) leader {leader}, followers {followers}")
    first, second = followers

    # (b) writes through a follower: forwarded REQUESTs, then PROPOSAL/ACK/COMMIT; idle pings carry touches.
    writer = ens.client([first], timeout=6.0)
    writer.create("/quorum", b"golden")
    writer.create("/quorum/child", b"1", ephemeral=True)
    writer.set("/quorum", b"golden-2")
    writer.create("/quorum/gone", b"")
    writer.delete("/quorum/gone")
    time.sleep(2.5)
    log("(b) writes done")

    # (c) the same session re-attached on the other follower: REVALIDATE.
    session_id, password = writer.client_id
    mover = ens.client([second], timeout=6.0, start=False, client_id=(session_id, password))
    mover.start(timeout=20)
    mover.exists("/quorum")
    time.sleep(1.5)
    log(f"(c) session 0x{session_id:x} revalidated on server.{second}")

    # (d) a wiped follower is synced by SNAP (it is behind the leader's committed log and on-disk replay is off).
    ens.stop(first)
    ens.wipe(first)
    on_leader = ens.client([leader], timeout=6.0)
    on_leader.create("/quorum/while-away", b"x" * 20)
    ens.start(first)
    ens.wait_for_mode(first)
    time.sleep(1.5)
    log(f"(d) server.{first} resynced")

    # (d') a follower that missed a few txns the leader still holds in memory: DIFF with PROPOSAL/COMMIT pairs.
    ens.stop(second)
    on_leader.create("/quorum/diffed", b"d")
    on_leader.set("/quorum/diffed", b"dd")
    ens.start(second)
    ens.wait_for_mode(second)
    time.sleep(1.5)
    log(f"(d') server.{second} resynced")

    # (e) the leader logs a txn that no follower sees, then dies; the others move on; it comes back: TRUNC.
    ens.kill(first)
    ens.kill(second)
    on_leader.create_async("/quorum/orphan", b"never committed")
    time.sleep(0.5)
    ens.kill(leader)
    for client in (writer, mover, on_leader):
        close_client(client)
    ens.start(first)
    ens.start(second)
    ens.wait_for_mode(second)
    ens.wait_for_mode(first)
    # Nothing is written before the old leader returns: its last zxid is then beyond the new leader's committed
    # log, the case that is answered by TRUNC alone (with a write, ZooKeeper 3.8 falls back to SNAP here).
    ens.start(leader)
    ens.wait_for_mode(leader)
    late = ens.client([ens.leader_id()], timeout=6.0)
    late.create("/quorum/new-epoch", b"e")
    close_client(late)
    time.sleep(1.5)
    log(f"(e) server.{leader} rejoined; modes {ens.modes()}")


# --- Fixtures ------------------------------------------------------------------------------------------------------

def write_hex(path, data):
    text = data.hex()
    with open(path, "w") as f:
        for i in range(0, len(text), 64):
            f.write(text[i:i + 64] + "\n")


def fixtures(capture, ens):
    """[(name, port kind, dialer, from sid, to sid, bytes, renderings, seen)] for every stream worth keeping."""
    by_port = {}
    for sid in ens.ids:
        by_port[ens.election_port[sid]] = ("election", sid)
        by_port[ens.quorum_port[sid]] = ("learner", sid)
    chosen = []
    counter = 0
    for connection in sorted(capture.connections, key=lambda c: c.opened):
        kind, acceptor = by_port[connection.server_port]
        outbound, out_gap = connection.to_server.stream()
        inbound, in_gap = connection.to_client.stream()
        if not outbound:
            continue
        if kind == "election":
            items = election_messages(outbound, dialer=True)
            dialer_sid = int(items[0][1].split("sid=")[1].split()[0]) if items else None
            streams = [(True, dialer_sid, acceptor, outbound, items),
                       (False, acceptor, dialer_sid, inbound, election_messages(inbound, dialer=False))]
        else:
            items = learner_items(outbound)
            info = next((line for _, line, t in items if t in (11, 16)), "")
            dialer_sid = int(info.split("learner=")[1].split("/")[0]) if "learner=" in info else None
            streams = [(True, dialer_sid, acceptor, outbound, items),
                       (False, acceptor, dialer_sid, inbound, learner_items(inbound))]
        counter += 1
        for dialer, source, target, data, items in streams:
            if not items:
                continue
            keep = cut(kind, items)
            end = keep[-1][0]
            direction = f"s{source}-to-s{target}"
            name = f"{kind}-{counter:02d}-{direction}"
            chosen.append((name, kind, dialer, source, target, data[:end], [i[1] for i in keep], len(items)))
        if out_gap or in_gap:
            log(f"warning: a gap in connection {counter} ({kind}); kept the bytes before it")
    return chosen


def cut(kind, items):
    """The prefix of a stream's messages to keep."""
    if kind == "election":
        return items[:ELECTION_MESSAGES_MAX]
    keep = []
    for item in items:
        # Keep whole sync phases (and the snapshot after SNAP) even when they pass the byte budget.
        if keep and item[0] > LEARNER_BYTES_MAX and keep[-1][2] != 15:
            break
        keep.append(item)
    return keep


def interesting(chosen):
    """Which streams to keep: every learner connection, and the first ELECTION_CONNECTIONS_MAX election
    connections that carried anything (later elections bring FOLLOWING and LEADING notifications)."""
    kept, election_connections = [], set()
    for entry in chosen:
        connection = entry[0].split("-")[1]
        if entry[1] == "election":
            if connection not in election_connections and len(election_connections) >= ELECTION_CONNECTIONS_MAX:
                continue
            election_connections.add(connection)
        kept.append(entry)
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=HERE)
    parser.add_argument("--keep-logs", action="store_true", help="leave the ensemble's directories in place")
    args = parser.parse_args()
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)  # reconnect chatter while servers are down on purpose

    ens = Ensemble(tempfile.mkdtemp(prefix="quorum-capture-"))
    capture = LoopbackCapture([port for sid in ens.ids for port in (ens.quorum_port[sid], ens.election_port[sid])])
    capture.start()
    try:
        for sid in ens.ids:
            ens.start(sid)
        drive(ens)
    finally:
        ens.stop_all(keep=args.keep_logs)
        drops = capture.stop()
    if drops:
        log(f"warning: the kernel dropped {drops} packets; gaps are reported per connection")

    chosen = interesting(fixtures(capture, ens))
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.endswith((".hex", ".txt")) or name == "MANIFEST.tsv":
            os.remove(os.path.join(args.out, name))
    with open(os.path.join(args.out, "MANIFEST.tsv"), "w") as manifest:
        manifest.write("name\tport\tdialer\tfrom\tto\tkept\tseen\n")
        for name, kind, dialer, source, target, data, lines, seen in chosen:
            write_hex(os.path.join(args.out, name + ".hex"), data)
            with open(os.path.join(args.out, name + ".txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
            manifest.write(f"{name}\t{kind}\t{'yes' if dialer else 'no'}\t{source}\t{target}\t{len(lines)}\t{seen}\n")
    kinds = {line.split()[0] for entry in chosen for line in entry[6]}
    log(f"wrote {len(chosen)} streams to {args.out}; message kinds: {' '.join(sorted(kinds))}")
    missing = REQUIRED_KINDS - kinds
    if missing:
        # Step (e) races the leader's quorum check (half a tick); a re-run usually gets the TRUNC.
        raise SystemExit(f"the capture lacks {' '.join(sorted(missing))}; run it again")


if __name__ == "__main__":
    main()
