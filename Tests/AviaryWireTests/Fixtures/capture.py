#!/usr/bin/env python3
"""Capture golden wire bytes from real ZooKeeper 3.8 traffic, and four-letter-word reference texts.

Usage:  python3 capture.py [--out DIR] [--transcript FILE] [--skip-4lw] [--skip-golden]

What it does
  1. Starts a real ZooKeeper 3.8 (Debian package) on a free loopback port through Tests/interop/harness.py.
  2. Puts a small recording TCP proxy (also loopback) in front of it. The proxy forwards bytes unchanged and
     splits each direction into frames: every client protocol packet is a 4-byte big-endian length followed
     by the payload (the first frame in each direction is the ConnectRequest / ConnectResponse, which have
     no request/reply header). A connection whose first four bytes are lowercase ASCII letters is a
     four-letter-word connection: raw text, no frames.
  3. Drives traffic through the proxy with third-party clients: the Java command line client zkCli.sh
     (commands fed on stdin) and the Python client kazoo. It cuts the proxied connections twice so the Java
     client re-connects and re-arms its watches, and once for kazoo.
  4. Decodes every frame (jute encoding) and picks the frames named in RULES below. Each chosen payload
     (without the length prefix) is written to DIR/golden/<name>.hex as lowercase hex, 64 chars a line, and
     described in DIR/golden/MANIFEST.tsv (name, direction, client, kind, decoded).
  5. Starts a second ZooKeeper with every four-letter word enabled, connects a couple of clients that set
     watches, and saves the exact reply of each word in DIR/fourletterwords/<word>.txt; then a third server
     whose whitelist is only "srvr" for DIR/fourletterwords/not_whitelisted.txt.

DIR defaults to the directory holding this script. Everything binds to 127.0.0.1; every process started here is
stopped before exit. Session ids, zxids, times and passwords in the captures differ from run to run.
"""
import argparse
import logging
import base64
import hashlib
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "interop")))
import harness  # noqa: E402

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
LOOPBACK = "127.0.0.1"
SESSION_TIMEOUT_MS = 4000          # the minimum with tickTime=2000, so idle pings come quickly
DIGEST_USER, DIGEST_PASSWORD = "alice", "secret"
FOUR_LETTER_WORDS = ["ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "wchs", "wchc", "wchp",
                     "dump", "dirs", "isro", "crst", "srst"]

OPCODES = {
    0: "notification", 1: "create", 2: "delete", 3: "exists", 4: "getData", 5: "setData", 6: "getACL",
    7: "setACL", 8: "getChildren", 9: "sync", 11: "ping", 12: "getChildren2", 13: "check", 14: "multi",
    15: "create2", 16: "reconfig", 17: "checkWatches", 18: "removeWatches", 19: "createContainer",
    20: "deleteContainer", 21: "createTTL", 22: "multiRead", 100: "auth", 101: "setWatches", 102: "sasl",
    103: "getEphemerals", 104: "getAllChildrenNumber", 105: "setWatches2", 106: "addWatch", 107: "whoAmI",
    -10: "createSession", -11: "closeSession", -1: "error",
}
ERRORS = {
    0: "OK", -1: "SYSTEMERROR", -2: "RUNTIMEINCONSISTENCY", -4: "CONNECTIONLOSS", -6: "UNIMPLEMENTED",
    -8: "BADARGUMENTS", -101: "NONODE", -102: "NOAUTH", -103: "BADVERSION", -108: "NOCHILDRENFOREPHEMERALS",
    -110: "NODEEXISTS", -111: "NOTEMPTY", -112: "SESSIONEXPIRED", -114: "INVALIDACL", -115: "AUTHFAILED",
    -121: "NOWATCHER",
}
EVENT_TYPES = {-1: "None", 1: "NodeCreated", 2: "NodeDeleted", 3: "NodeDataChanged", 4: "NodeChildrenChanged",
               5: "DataWatchRemoved", 6: "ChildWatchRemoved", 7: "PersistentWatchRemoved"}
KEEPER_STATES = {0: "Disconnected", 3: "SyncConnected", 4: "AuthFailed", 5: "ConnectedReadOnly",
                 -112: "Expired"}
CREATE_OPS = (1, 15, 19, 21)


# ----------------------------------------------------------------------------------------------------------------
# jute decoding (big-endian; buffer/ustring/vector carry an int length, -1 = null)

class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def _take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError(f"need {n} bytes at offset {self.pos}, have {self.remaining()}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self._take(4))[0]

    def long(self):
        return struct.unpack(">q", self._take(8))[0]

    def bool(self):
        b = self._take(1)[0]
        if b not in (0, 1):
            raise DecodeError(f"boolean byte {b}")
        return bool(b)

    def buffer(self):
        n = self.int()
        return None if n == -1 else bytes(self._take(n))

    def ustring(self):
        b = self.buffer()
        return None if b is None else b.decode("utf-8")

    def vector(self, element):
        n = self.int()
        return None if n == -1 else [element(self) for _ in range(n)]

    def stat(self):
        names = ["czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion", "ephemeralOwner",
                 "dataLength", "numChildren", "pzxid"]
        kinds = "qqqqiiiqiiq"
        return {n: (self.long() if k == "q" else self.int()) for n, k in zip(names, kinds)}

    def acl(self):
        perms = self.int()
        return (perms, self.ustring(), self.ustring())


def fmt_bytes(b):
    if b is None:
        return "null"
    try:
        s = b.decode("ascii")
        if all(32 <= ord(c) < 127 for c in s):
            return '"' + s + '"'
    except UnicodeDecodeError:
        pass
    return "0x" + b.hex()


def fmt_zxid(z):
    return hex(z) if z >= 0 else str(z)


def fmt_stat(st):
    return ("stat={czxid=%s mzxid=%s ctime=%d mtime=%d version=%d cversion=%d aversion=%d ephemeralOwner=%s "
            "dataLength=%d numChildren=%d pzxid=%s}" % (
                fmt_zxid(st["czxid"]), fmt_zxid(st["mzxid"]), st["ctime"], st["mtime"], st["version"],
                st["cversion"], st["aversion"], "0x%x" % (st["ephemeralOwner"] & 0xFFFFFFFFFFFFFFFF),
                st["dataLength"], st["numChildren"], fmt_zxid(st["pzxid"])))


def fmt_acl(acls):
    if acls is None:
        return "null"
    return "[" + ", ".join(f"{p} {s}:{i}" for p, s, i in acls) + "]"


def fmt_strings(v):
    return "null" if v is None else "[" + ",".join(v) + "]"


def decode_request_body(r, op, out):
    """Decode the body of a request of opcode `op` into `out` (a list of 'key=value' strings)."""
    if op in CREATE_OPS:
        out += [f"path={r.ustring()}", f"data={fmt_bytes(r.buffer())}", f"acl={fmt_acl(r.vector(Reader.acl))}",
                f"flags={r.int()}"]
        if op == 21:
            out.append(f"ttl={r.long()}")
    elif op in (2, 13):
        out += [f"path={r.ustring()}", f"version={r.int()}"]
    elif op in (3, 4, 8, 12):
        out += [f"path={r.ustring()}", f"watch={str(r.bool()).lower()}"]
    elif op == 5:
        out += [f"path={r.ustring()}", f"data={fmt_bytes(r.buffer())}", f"version={r.int()}"]
    elif op in (6, 9, 103, 104):
        out.append(f"path={r.ustring()}")
    elif op == 7:
        out += [f"path={r.ustring()}", f"acl={fmt_acl(r.vector(Reader.acl))}", f"version={r.int()}"]
    elif op in (17, 18):
        out += [f"path={r.ustring()}", f"watcherType={r.int()}"]
    elif op == 106:
        out += [f"path={r.ustring()}", f"mode={r.int()}"]
    elif op == 100:
        out += [f"authType={r.int()}", f"scheme={r.ustring()}", f"auth={fmt_bytes(r.buffer())}"]
    elif op in (101, 105):
        out.append(f"relativeZxid={fmt_zxid(r.long())}")
        names = ["dataWatches", "existWatches", "childWatches"]
        if op == 105:
            names += ["persistentWatches", "persistentRecursiveWatches"]
        for n in names:
            out.append(f"{n}={fmt_strings(r.vector(Reader.ustring))}")
    elif op == 14:
        parts = []
        while True:
            t, done, err = r.int(), r.bool(), r.int()
            if done:
                parts.append(f"end{{type={t} done=true err={err}}}")
                break
            sub = []
            decode_request_body(r, t, sub)
            parts.append(f"{{hdr type={t}({OPCODES.get(t, '?')}) done=false err={err}; {' '.join(sub)}}}")
        out.append("ops=[" + " ".join(parts) + "]")
    elif op in (11, 107, -11):
        pass
    else:
        raise DecodeError(f"no request decoder for opcode {op}")


def decode_reply_body(r, op, out):
    if op == 1:
        out.append(f"path={r.ustring()}")
    elif op in (15, 19, 21):
        out += [f"path={r.ustring()}", fmt_stat(r.stat())]
    elif op in (3, 5, 7):
        out.append(fmt_stat(r.stat()))
    elif op == 4:
        out += [f"data={fmt_bytes(r.buffer())}", fmt_stat(r.stat())]
    elif op == 6:
        out += [f"acl={fmt_acl(r.vector(Reader.acl))}", fmt_stat(r.stat())]
    elif op == 8:
        out.append(f"children={fmt_strings(r.vector(Reader.ustring))}")
    elif op == 12:
        out += [f"children={fmt_strings(r.vector(Reader.ustring))}", fmt_stat(r.stat())]
    elif op == 9:
        out.append(f"path={r.ustring()}")
    elif op == 103:
        out.append(f"ephemerals={fmt_strings(r.vector(Reader.ustring))}")
    elif op == 104:
        out.append(f"totalNumber={r.int()}")
    elif op == 107:
        infos = r.vector(lambda rr: (rr.ustring(), rr.ustring()))
        out.append("clientInfo=" + ("null" if infos is None else
                                    "[" + ", ".join(f"{{authScheme={a} user={u}}}" for a, u in infos) + "]"))
    elif op == 106:
        if r.remaining():
            out.append(f"errorResponse.err={r.int()}")
    elif op == 14:
        parts = []
        while True:
            t, done, err = r.int(), r.bool(), r.int()
            if done:
                parts.append(f"end{{type={t} done=true err={err}}}")
                break
            sub = []
            if t == -1:
                sub.append(f"errorResponse.err={r.int()}")
            else:
                decode_reply_body(r, t, sub)
            parts.append(f"{{hdr type={t}({OPCODES.get(t, '?')}) done=false err={err}"
                         + ("; " + " ".join(sub) if sub else "") + "}")
        out.append("results=[" + " ".join(parts) + "]")
    elif op in (2, 11, 13, 17, 18, 100, 101, 105, -11):
        pass
    else:
        raise DecodeError(f"no reply decoder for opcode {op}")


# ----------------------------------------------------------------------------------------------------------------
# recording proxy

class Frame:
    def __init__(self, seq, conn, direction, payload):
        self.seq = seq
        self.conn = conn
        self.client = conn.client
        self.direction = direction
        self.payload = payload
        self.kind = "?"
        self.op = None           # opcode of the request (or of the request this replies to)
        self.xid = None
        self.err = None
        self.path = None         # first path in the body, used by the selection rules
        self.fields = {}         # a few decoded values used by the selection rules
        self.decoded = ""
        self.problem = None      # set when the payload did not decode cleanly


class Connection:
    def __init__(self, cid, client, recorder):
        self.id = cid
        self.client = client
        self.recorder = recorder
        self.pending = {}        # xid -> opcode of requests not yet answered
        self.seen = {"c2s": 0, "s2c": 0}
        self.raw = None          # None = undecided, True = four-letter-word text, False = framed
        self.raw_text = {"c2s": bytearray(), "s2c": bytearray()}
        self.lock = threading.Lock()
        self.sockets = []
        self.closed = threading.Event()

    def decode(self, f):
        r = Reader(f.payload)
        out = []
        try:
            first = self.seen[f.direction] == 0
            self.seen[f.direction] += 1
            if first and f.direction == "c2s":
                f.kind = "connect_request"
                pv, zxid, to, sid = r.int(), r.long(), r.int(), r.long()
                pw = r.buffer()
                out += [f"protocolVersion={pv}", f"lastZxidSeen={fmt_zxid(zxid)}", f"timeOut={to}",
                        f"sessionId=0x{sid & 0xFFFFFFFFFFFFFFFF:x}", f"passwd={fmt_bytes(pw)}"]
                f.fields.update(sessionId=sid, lastZxidSeen=zxid)
                out.append(f"readOnly={str(r.bool()).lower()}" if r.remaining() else "readOnly=<absent>")
            elif first and f.direction == "s2c":
                f.kind = "connect_response"
                pv, to, sid = r.int(), r.int(), r.long()
                pw = r.buffer()
                out += [f"protocolVersion={pv}", f"timeOut={to}", f"sessionId=0x{sid & 0xFFFFFFFFFFFFFFFF:x}",
                        f"passwd={fmt_bytes(pw)}"]
                out.append(f"readOnly={str(r.bool()).lower()}" if r.remaining() else "readOnly=<absent>")
            elif f.direction == "c2s":
                xid, op = r.int(), r.int()
                f.xid, f.op = xid, op
                f.kind = "request:" + OPCODES.get(op, str(op))
                out += [f"xid={xid}", f"type={op}({OPCODES.get(op, '?')})"]
                with self.lock:
                    self.pending[xid] = op
                body = []
                decode_request_body(r, op, body)
                out += body
            else:
                xid, zxid, err = r.int(), r.long(), r.int()
                f.xid, f.err = xid, err
                out += [f"xid={xid}", f"zxid={fmt_zxid(zxid)}", f"err={err}" +
                        (f"({ERRORS.get(err, '?')})" if err else "")]
                if xid == -1:
                    f.kind = "notification"
                    et, st, path = r.int(), r.int(), r.ustring()
                    f.fields.update(eventType=et)
                    out += [f"event.type={et}({EVENT_TYPES.get(et, '?')})",
                            f"event.state={st}({KEEPER_STATES.get(st, '?')})", f"event.path={path}"]
                else:
                    with self.lock:
                        op = self.pending.pop(xid, None)
                    f.op = op
                    f.kind = "reply:" + OPCODES.get(op, str(op))
                    out.insert(1, f"(reply to type={op}({OPCODES.get(op, '?')}))")
                    if err == 0 or op == 14:
                        decode_reply_body(r, op, out)
            if r.remaining():
                f.problem = f"{r.remaining()} undecoded trailing bytes"
                out.append(f"TRAILING={r.data[r.pos:].hex()}")
        except (DecodeError, UnicodeDecodeError) as e:
            f.problem = str(e)
            out.append(f"DECODE-ERROR={e}")
        for item in out:
            if item.startswith("path=") and f.path is None:
                f.path = item[5:]
            if item.startswith("event.path="):
                f.path = item[11:]
        f.decoded = " ".join(out)

    def outstanding(self):
        with self.lock:
            return {x: o for x, o in self.pending.items() if x != -2}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.frames = []
        self.raw_exchanges = []
        self.connections = []

    def add(self, conn, direction, payload):
        with self.lock:
            f = Frame(len(self.frames), conn, direction, bytes(payload))
            conn.decode(f)
            self.frames.append(f)
            return f

    def snapshot(self):
        with self.lock:
            return list(self.frames)


class Proxy:
    """Loopback TCP proxy that forwards bytes unchanged and records length-prefixed frames per direction."""

    def __init__(self, upstream_port, client, recorder):
        self.upstream_port = upstream_port
        self.client = client
        self.recorder = recorder
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.conns = []
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopping:
            try:
                csock, _ = self.listener.accept()
            except OSError:
                return
            try:
                usock = socket.create_connection((LOOPBACK, self.upstream_port), timeout=5)
                usock.settimeout(None)
            except OSError:
                csock.close()
                continue
            with self.recorder.lock:
                conn = Connection(len(self.recorder.connections), self.client, self.recorder)
                self.recorder.connections.append(conn)
            conn.sockets = [csock, usock]
            self.conns.append(conn)
            done = []
            for src, dst, direction in ((csock, usock, "c2s"), (usock, csock, "s2c")):
                threading.Thread(target=self._pump, args=(conn, src, dst, direction, done), daemon=True).start()

    def _pump(self, conn, src, dst, direction, done):
        buf = bytearray()
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                buf += chunk
                self._consume(conn, direction, buf)   # record before forwarding: replies never overtake requests
                dst.sendall(chunk)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with conn.lock:
            done.append(direction)
            finished = len(done) == 2
        if finished:
            for s in conn.sockets:
                try:
                    s.close()
                except OSError:
                    pass
            if conn.raw:
                self.recorder.raw_exchanges.append(
                    (conn.client, bytes(conn.raw_text["c2s"]), bytes(conn.raw_text["s2c"])))
            conn.closed.set()

    def _consume(self, conn, direction, buf):
        if conn.raw is None and direction == "c2s" and len(buf) >= 4:
            conn.raw = all(97 <= b <= 122 for b in buf[:4])     # "ruok", "srvr", ...: four-letter word
        if conn.raw:
            conn.raw_text[direction] += buf
            del buf[:]
            return
        while len(buf) >= 4:
            n = struct.unpack(">i", bytes(buf[:4]))[0]
            if n < 0 or n > 0xFFFFF + 0xFFFFF:
                raise OSError(f"implausible frame length {n} on {direction}")
            if len(buf) < 4 + n:
                return
            payload = bytes(buf[4:4 + n])
            del buf[:4 + n]
            self.recorder.add(conn, direction, payload)

    def cut(self):
        """Drop every live proxied connection (the client sees a connection loss and reconnects)."""
        for conn in self.conns:
            if not conn.closed.is_set():
                for s in conn.sockets:
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def close(self):
        self.stopping = True
        try:
            self.listener.close()
        except OSError:
            pass
        self.cut()
        for conn in self.conns:
            conn.closed.wait(5)


# ----------------------------------------------------------------------------------------------------------------
# clients

class ZkCli:
    """zkCli.sh in non-interactive mode: one command a line on stdin, executed in order on one session."""

    def __init__(self, proxy, recorder, logdir, name):
        self.proxy = proxy
        self.recorder = recorder
        self.log_path = os.path.join(logdir, f"zkcli-{name}.log")
        self.log = open(self.log_path, "w")
        env = dict(os.environ, CLIENT_JVMFLAGS="-Dzookeeper.root.logger=WARN,CONSOLE")
        self.process = subprocess.Popen(
            [ZKCLI, "-server", f"{LOOPBACK}:{proxy.port}", "-timeout", str(SESSION_TIMEOUT_MS)],
            stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT, env=env, text=True,
            start_new_session=True)
        try:
            wait_until(lambda: self._conns() and self._conns()[-1].seen["s2c"] >= 1, 30, "zkCli connect")
        except Exception:
            self.kill()
            raise

    def _conns(self):
        return [c for c in self.proxy.conns]

    def _requests(self):
        return [f for f in self.recorder.snapshot()
                if f.conn in self.proxy.conns and f.direction == "c2s" and f.xid not in (None, -2)]

    def run(self, line, expect_request=True, timeout=15):
        before = len(self._requests())
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        if expect_request:
            wait_until(lambda: len(self._requests()) > before, timeout, f"zkCli request for {line!r}")
        wait_until(lambda: not any(c.outstanding() for c in self.proxy.conns if not c.closed.is_set()),
                   timeout, f"zkCli reply for {line!r}")
        time.sleep(0.15)     # let any notification fired by this command arrive

    def quit(self):
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.log.close()

    def kill(self):
        # zkCli.sh runs java as a child of the shell; both are in the process group started above
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def digest_id(user, password):
    return user + ":" + base64.b64encode(hashlib.sha1(f"{user}:{password}".encode()).digest()).decode()


def drive_zkcli(proxy, recorder, logdir):
    cli = ZkCli(proxy, recorder, logdir, "main")
    try:
        run = cli.run
        run("create /golden")
        run("create /golden/a hello")
        run("create /golden/a again")                                        # NodeExists
        run("create -e /golden/eph ephemeral")
        run("create -s /golden/seq- s")
        run(f"create /golden/secure secret digest:{digest_id(DIGEST_USER, DIGEST_PASSWORD)}:cdrwa")
        run("create -c /golden/container")
        run("create -t 60000 /golden/ttl t")
        run("stat /golden/ttl")
        run("create /golden/acl x")
        run("setAcl /golden/acl ip:127.0.0.1:cdrwa,world:anyone:r")
        run("getAcl /golden/acl")
        run("stat /golden/a")
        run("stat /golden/missing")
        run("get /golden/a")
        run("get /golden/missing")                                           # NoNode
        run("get /golden/secure")                                            # NoAuth
        run("set /golden/a world")
        run("set -v 99 /golden/a nope")                                      # BadVersion
        run("ls /golden")
        run("ls -s /golden")
        run("sync /golden")
        run("create /golden/del d")
        run("delete /golden/del")
        run("delete /golden")                                                # NotEmpty
        run("getEphemerals /golden")
        run("getAllChildrenNumber /golden")
        time.sleep(2.5)                                                      # idle: the client pings
        # one-shot watches and the four notification types
        run("stat -w /golden/w")
        run("create /golden/w v0")                                           # NodeCreated
        run("get -w /golden/w")
        run("set /golden/w v1")                                              # NodeDataChanged
        run("ls -w /golden/w")
        run("create /golden/w/c x")                                          # NodeChildrenChanged
        run("get -w /golden/w/c")
        run("delete /golden/w/c")                                            # NodeDeleted
        # watch removal
        run("get -w /golden/a")
        run("removewatches /golden/a -d")
        run("removewatches /golden/a -d")
        # reconnect with one-shot watches only -> setWatches
        run("get -w /golden/a")
        run("stat -w /golden/nowhere")
        run("ls -w /golden/w")
        reconnect(proxy, recorder)
        # persistent watches
        run("addWatch -m PERSISTENT /golden/p")
        run("create /golden/p x")
        run("addWatch -m PERSISTENT_RECURSIVE /golden/r")
        run("create /golden/r r")
        run("create /golden/r/x x")
        # reconnect with persistent watches -> setWatches2
        reconnect(proxy, recorder)
        run("addauth digest %s:%s" % (DIGEST_USER, DIGEST_PASSWORD))
        run("get /golden/secure")
        run("getAcl /golden/secure")
        run("whoami")
    finally:
        cli.quit()

    # a second session whose auth packet names a scheme the server does not know
    cli = ZkCli(proxy, recorder, logdir, "badauth")
    try:
        time.sleep(1.0)      # an addauth typed while the session is still being set up goes out twice
        cli.run("addauth nosuchscheme whatever")
        time.sleep(0.5)
    finally:
        cli.quit()


def reconnect(proxy, recorder, timeout=20):
    old = set(id(c) for c in proxy.conns)
    proxy.cut()
    wait_until(lambda: any(id(c) not in old and c.seen["s2c"] >= 1 for c in proxy.conns), timeout,
               "reconnect through the proxy")
    time.sleep(1.0)                  # watch re-registration and auth replay follow the handshake
    wait_until(lambda: not any(c.outstanding() for c in proxy.conns if not c.closed.is_set()), timeout,
               "replies after reconnect")


def drive_kazoo(proxy, recorder):
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=f"{LOOPBACK}:{proxy.port}", timeout=SESSION_TIMEOUT_MS / 1000.0)
    zk.start(timeout=15)
    try:
        zk.create("/golden/k2", b"kdata", include_data=True)                # create2
        zk.get_children("/golden")                                          # getChildren (zkCli's ls uses 12)
        version = zk.exists("/golden/a").version
        t = zk.transaction()
        t.check("/golden/a", version)
        t.create("/golden/txn", b"t")
        t.set_data("/golden/a", b"txn")
        t.delete("/golden/k2")
        t.commit()
        t = zk.transaction()
        t.create("/golden/txn2", b"t2")
        t.check("/golden/a", 999)
        t.set_data("/golden/a", b"never")
        t.commit()
        time.sleep(3.0)                                                      # idle: the client pings
        zk.get("/golden/a", watch=lambda event: None)
        zk.exists("/golden/kmissing", watch=lambda event: None)
        reconnect(proxy, recorder)
        zk.get("/golden/a")
    finally:
        zk.stop()
        zk.close()


# ----------------------------------------------------------------------------------------------------------------
# selection of golden frames

def is_req(op, path=None, **fields):
    def pred(f):
        if f.direction != "c2s" or f.op != op:
            return False
        if path is not None and f.path != path:
            return False
        return all(needle in f.decoded for needle in fields.get("contains", []))
    return pred


# (request name or None, reply name or None, client, predicate on the request frame[, required reply err])
RULES = [
    ("connect_request_zkcli", "connect_reply_zkcli", "zkCli",
     lambda f: f.kind == "connect_request" and f.fields.get("sessionId") == 0),
    ("connect_request_reconnect_zkcli", "connect_reply_reconnect_zkcli", "zkCli",
     lambda f: f.kind == "connect_request" and f.fields.get("sessionId") != 0),
    ("ping_request_zkcli", "ping_reply_zkcli", "zkCli", is_req(11)),
    ("create_nulldata_request_zkcli", None, "zkCli", is_req(1, "/golden")),
    ("create_request_zkcli", "create_reply_zkcli", "zkCli", is_req(1, "/golden/a", contains=['"hello"'])),
    (None, "create_nodeexists_reply_zkcli", "zkCli", is_req(1, "/golden/a", contains=['"again"'])),
    ("create_ephemeral_request_zkcli", None, "zkCli", is_req(1, "/golden/eph")),
    ("create_sequential_request_zkcli", "create_sequential_reply_zkcli", "zkCli", is_req(1, "/golden/seq-")),
    ("create_digest_acl_request_zkcli", None, "zkCli", is_req(1, "/golden/secure")),
    ("create_container_request_zkcli", "create_container_reply_zkcli", "zkCli", is_req(19, "/golden/container")),
    ("create_ttl_request_zkcli", "create_ttl_reply_zkcli", "zkCli", is_req(21, "/golden/ttl")),
    ("setacl_request_zkcli", "setacl_reply_zkcli", "zkCli", is_req(7, "/golden/acl")),
    ("getacl_request_zkcli", "getacl_reply_zkcli", "zkCli", is_req(6, "/golden/acl")),
    (None, "getacl_digest_reply_zkcli", "zkCli", is_req(6, "/golden/secure")),
    ("exists_request_zkcli", "exists_reply_zkcli", "zkCli", is_req(3, "/golden/a")),
    ("exists_missing_request_zkcli", "exists_missing_reply_zkcli", "zkCli", is_req(3, "/golden/missing")),
    (None, "exists_ttl_reply_zkcli", "zkCli", is_req(3, "/golden/ttl")),
    ("exists_watch_request_zkcli", None, "zkCli", is_req(3, "/golden/w", contains=["watch=true"])),
    ("getdata_request_zkcli", "getdata_reply_zkcli", "zkCli", is_req(4, "/golden/a", contains=["watch=false"])),
    ("getdata_watch_request_zkcli", None, "zkCli", is_req(4, "/golden/w", contains=["watch=true"])),
    (None, "getdata_nonode_reply_zkcli", "zkCli", is_req(4, "/golden/missing")),
    (None, "getdata_noauth_reply_zkcli", "zkCli", is_req(4, "/golden/secure")),
    ("setdata_request_zkcli", "setdata_reply_zkcli", "zkCli", is_req(5, "/golden/a", contains=['"world"'])),
    ("setdata_badversion_request_zkcli", "setdata_badversion_reply_zkcli", "zkCli",
     is_req(5, "/golden/a", contains=["version=99"])),
    ("getchildren2_request_zkcli", "getchildren2_reply_zkcli", "zkCli", is_req(12, "/golden")),
    ("sync_request_zkcli", "sync_reply_zkcli", "zkCli", is_req(9, "/golden")),
    ("delete_request_zkcli", "delete_reply_zkcli", "zkCli", is_req(2, "/golden/del")),
    (None, "delete_notempty_reply_zkcli", "zkCli", is_req(2, "/golden")),
    ("getephemerals_request_zkcli", "getephemerals_reply_zkcli", "zkCli", is_req(103, "/golden")),
    ("getallchildrennumber_request_zkcli", "getallchildrennumber_reply_zkcli", "zkCli", is_req(104, "/golden")),
    ("removewatches_request_zkcli", "removewatches_reply_zkcli", "zkCli", is_req(18, "/golden/a"), 0),
    (None, "removewatches_nowatcher_reply_zkcli", "zkCli", is_req(18, "/golden/a"), -121),
    ("setwatches_request_zkcli", "setwatches_reply_zkcli", "zkCli", is_req(101)),
    ("addwatch_persistent_request_zkcli", "addwatch_reply_zkcli", "zkCli", is_req(106, "/golden/p")),
    ("addwatch_recursive_request_zkcli", None, "zkCli", is_req(106, "/golden/r")),
    ("setwatches2_request_zkcli", "setwatches2_reply_zkcli", "zkCli", is_req(105)),
    ("auth_request_zkcli", "auth_reply_zkcli", "zkCli", is_req(100, contains=["scheme=digest"])),
    ("auth_badscheme_request_zkcli", "auth_badscheme_reply_zkcli", "zkCli", is_req(100, contains=["nosuchscheme"])),
    ("whoami_request_zkcli", "whoami_reply_zkcli", "zkCli", is_req(107)),
    ("close_request_zkcli", "close_reply_zkcli", "zkCli", is_req(-11)),
    ("connect_request_kazoo", "connect_reply_kazoo", "kazoo",
     lambda f: f.kind == "connect_request" and f.fields.get("sessionId") == 0),
    ("connect_request_reconnect_kazoo", None, "kazoo",
     lambda f: f.kind == "connect_request" and f.fields.get("sessionId") != 0),
    ("getchildren_request_kazoo", "getchildren_reply_kazoo", "kazoo", is_req(8, "/golden")),
    ("create2_request_kazoo", "create2_reply_kazoo", "kazoo", is_req(15, "/golden/k2")),
    ("multi_request_kazoo", "multi_reply_kazoo", "kazoo", is_req(14, contains=["/golden/txn "])),
    ("multi_fail_request_kazoo", "multi_fail_reply_kazoo", "kazoo", is_req(14, contains=["/golden/txn2"])),
]

# notifications: (name, client, event type, path)
NOTIFICATION_RULES = [
    ("notification_created_zkcli", "zkCli", 1, "/golden/w"),
    ("notification_datachanged_zkcli", "zkCli", 3, "/golden/w"),
    ("notification_childrenchanged_zkcli", "zkCli", 4, "/golden/w"),
    ("notification_deleted_zkcli", "zkCli", 2, "/golden/w/c"),
    ("notification_persistent_created_zkcli", "zkCli", 1, "/golden/p"),
    ("notification_recursive_created_zkcli", "zkCli", 1, "/golden/r/x"),
]


def find_reply(frames, req):
    for f in frames:
        if f.seq > req.seq and f.conn is req.conn and f.direction == "s2c":
            if req.kind == "connect_request" and f.kind == "connect_response":
                return f
            if req.kind != "connect_request" and f.xid == req.xid and f.kind != "notification":
                return f
    return None


def select(frames):
    chosen, missing = [], []
    for rule in RULES:
        req_name, rep_name, client, pred = rule[:4]
        want_err = rule[4] if len(rule) > 4 else None
        req = rep = None
        for f in frames:
            if f.client == client and pred(f):
                r = find_reply(frames, f)
                if want_err is None or (r is not None and r.err == want_err):
                    req, rep = f, r
                    break
        if req is None:
            missing.append(req_name or rep_name)
            continue
        if req_name:
            chosen.append((req_name, req))
        if rep_name:
            if rep is None:
                missing.append(rep_name)
            else:
                chosen.append((rep_name, rep))
    for name, client, et, path in NOTIFICATION_RULES:
        f = next((f for f in frames if f.client == client and f.kind == "notification"
                  and f.fields.get("eventType") == et and f.path == path), None)
        if f is None:
            missing.append(name)
        else:
            chosen.append((name, f))
    return chosen, missing


def write_golden(outdir, chosen):
    gdir = os.path.join(outdir, "golden")
    os.makedirs(gdir, exist_ok=True)
    for old in os.listdir(gdir):
        if old.endswith(".hex") or old == "MANIFEST.tsv":
            os.remove(os.path.join(gdir, old))
    rows = ["name\tdirection\tclient\tkind\tdecoded"]
    for name, f in chosen:
        h = f.payload.hex()
        with open(os.path.join(gdir, name + ".hex"), "w") as out:
            out.write("".join(h[i:i + 64] + "\n" for i in range(0, len(h), 64)) if h else "\n")
        decoded = f"len={len(f.payload)} " + f.decoded.replace("\t", " ").replace("\n", " ")
        rows.append("\t".join([name, f.direction, f.client, f.kind, decoded]))
    with open(os.path.join(gdir, "MANIFEST.tsv"), "w") as out:
        out.write("\n".join(rows) + "\n")


def write_transcript(path, recorder):
    with open(path, "w") as out:
        for f in recorder.snapshot():
            out.write(f"#{f.seq} conn={f.conn.id} {f.client} {f.direction} {f.kind} len={len(f.payload)} "
                      f"{f.decoded}\n    {f.payload.hex()}\n")
        for client, c2s, s2c in recorder.raw_exchanges:
            out.write(f"# raw text exchange ({client}): {c2s!r} -> {s2c[:200]!r}\n")


def capture_golden(outdir, transcript, logdir):
    server = harness.start("zookeeper", {"extendedTypesEnabled": "true"})
    recorder = Recorder()
    proxies = []
    try:
        zk_proxy = Proxy(server.port, "zkCli", recorder)
        kz_proxy = Proxy(server.port, "kazoo", recorder)
        proxies = [zk_proxy, kz_proxy]
        drive_zkcli(zk_proxy, recorder, logdir)
        drive_kazoo(kz_proxy, recorder)
        # a four-letter word through the proxy is passed on as raw text (not framed)
        reply = harness.four_letter_word(zk_proxy.port, "ruok")
        if reply != "imok":
            raise RuntimeError(f"ruok through the proxy answered {reply!r}")
    finally:
        for p in proxies:
            p.close()
        server.stop()
    frames = recorder.snapshot()
    if transcript:
        write_transcript(transcript, recorder)
    problems = [f for f in frames if f.problem]
    for f in problems:
        print(f"warning: frame #{f.seq} ({f.client} {f.direction} {f.kind}): {f.problem}", file=sys.stderr)
    chosen, missing = select(frames)
    write_golden(outdir, chosen)
    print(f"golden: {len(chosen)} frames written from {len(frames)} captured", file=sys.stderr)
    return missing


# ----------------------------------------------------------------------------------------------------------------
# four-letter words

def raw_word(port, word, timeout=10.0):
    """Send a four-letter word and return the server's exact reply bytes (it closes the connection after)."""
    chunks = []
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as s:
        s.sendall(word.encode("ascii"))
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def start_srvr_only():
    """A ZooKeeper whose 4lw whitelist is only "srvr" (the 3.8 default). harness.start() cannot be used
    because its readiness probe is "ruok", which this server refuses; this waits on "srvr" instead."""
    workdir = tempfile.mkdtemp(prefix="capture-zk-srvr-")
    port = harness.free_port()
    config = harness._write_config(workdir, port, {"4lw.commands.whitelist": "srvr"})
    log_path = os.path.join(workdir, "server.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["java", "-Xmx512m", f"-Dzookeeper.log.dir={workdir}", "-Dzookeeper.root.logger=INFO,CONSOLE",
             "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)
    server = harness.Server("zookeeper", port, workdir, process, log_path)
    try:
        def ready():
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                return raw_word(port, "srvr", 1.0).startswith(b"Zookeeper version")
            except OSError:
                return False
        wait_until(ready, 60, "srvr-only ZooKeeper")
    except Exception:
        server.stop()
        raise
    return server


def mask_machine_details(reply, workdir):
    """Replace values that describe the capturing machine (temp paths, host, kernel) with placeholders."""
    text = reply.decode("utf-8", "replace").replace(workdir, "<workdir>")
    lines = []
    for line in text.split("\n"):
        key = line.split("=", 1)[0]
        if key in ("host.name", "os.version", "user.dir"):
            line = f"{key}=" + {"host.name": "<host>", "os.version": "<kernel>", "user.dir": "<workdir>"}[key]
        lines.append(line)
    return "\n".join(lines).encode("utf-8")


def capture_four_letter_words(outdir):
    from kazoo.client import KazooClient
    fdir = os.path.join(outdir, "fourletterwords")
    os.makedirs(fdir, exist_ok=True)
    server = harness.start("zookeeper")
    clients = []
    try:
        for _ in range(2):
            zk = KazooClient(hosts=server.connect_string, timeout=10.0)
            zk.start(timeout=15)
            clients.append(zk)
        a, b = clients
        a.create("/fourlw/data", b"d", makepath=True)
        a.create("/fourlw/eph", b"e", ephemeral=True)
        a.get("/fourlw/data", watch=lambda e: None)
        a.get_children("/fourlw", watch=lambda e: None)
        b.exists("/fourlw/missing", watch=lambda e: None)
        b.get("/fourlw/data", watch=lambda e: None)
        for word in FOUR_LETTER_WORDS:
            with open(os.path.join(fdir, word + ".txt"), "wb") as out:
                out.write(mask_machine_details(raw_word(server.port, word), server.workdir))
    finally:
        for zk in clients:
            zk.stop()
            zk.close()
        server.stop()
    server = start_srvr_only()
    try:
        with open(os.path.join(fdir, "not_whitelisted.txt"), "wb") as out:
            out.write(raw_word(server.port, "stat"))
    finally:
        server.stop()


def main():
    logging.getLogger("kazoo").setLevel(logging.ERROR)    # connection drops below are deliberate
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=HERE, help="fixture directory (gets golden/ and fourletterwords/)")
    ap.add_argument("--transcript", help="also write every captured frame, decoded, to this file")
    ap.add_argument("--skip-golden", action="store_true")
    ap.add_argument("--skip-4lw", action="store_true")
    args = ap.parse_args()
    logdir = tempfile.mkdtemp(prefix="capture-logs-")
    missing = []
    try:
        if not args.skip_golden:
            missing = capture_golden(args.out, args.transcript, logdir)
        if not args.skip_4lw:
            capture_four_letter_words(args.out)
    except Exception:
        for name in sorted(os.listdir(logdir)):
            with open(os.path.join(logdir, name), errors="replace") as f:
                print(f"--- {name} (tail)\n{f.read()[-3000:]}", file=sys.stderr)
        raise
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    if missing:
        print("missing frames: " + ", ".join(missing), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
