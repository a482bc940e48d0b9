"""A minimal ZooKeeper client speaking the jute wire protocol directly.

kazoo covers the common operations; this module covers what it lacks (containers, TTL nodes, addWatch,
removeWatches/checkWatches, whoAmI, getEphemerals, getAllChildrenNumber, setWatches after a reconnect) and lets
tests send malformed or unusual frames. Every blocking call takes a timeout.
"""
import queue
import socket
import struct
import threading
from collections import namedtuple

# Opcodes (RequestHeader.type).
OP_CREATE = 1
OP_DELETE = 2
OP_EXISTS = 3
OP_GET_DATA = 4
OP_SET_DATA = 5
OP_GET_ACL = 6
OP_SET_ACL = 7
OP_GET_CHILDREN = 8
OP_SYNC = 9
OP_PING = 11
OP_CHECK = 13
OP_MULTI = 14
OP_CREATE2 = 15
OP_CHECK_WATCHES = 17
OP_REMOVE_WATCHES = 18
OP_CREATE_CONTAINER = 19
OP_CREATE_TTL = 21
OP_MULTI_READ = 22
OP_AUTH = 100
OP_SET_WATCHES = 101
OP_GET_EPHEMERALS = 103
OP_GET_ALL_CHILDREN_NUMBER = 104
OP_SET_WATCHES2 = 105
OP_ADD_WATCH = 106
OP_WHO_AM_I = 107
OP_CLOSE_SESSION = -11

# Special xids.
XID_NOTIFICATION = -1
XID_PING = -2
XID_AUTH = -4
XID_SET_WATCHES = -8

# Error codes (ReplyHeader.err).
OK = 0
RUNTIME_INCONSISTENCY = -2
MARSHALLING_ERROR = -5
UNIMPLEMENTED = -6
BAD_ARGUMENTS = -8
NO_NODE = -101
NO_AUTH = -102
BAD_VERSION = -103
NO_CHILDREN_FOR_EPHEMERALS = -108
NODE_EXISTS = -110
NOT_EMPTY = -111
SESSION_EXPIRED = -112
INVALID_ACL = -114
AUTH_FAILED = -115
NO_WATCHER = -121

# Create flags (CreateMode).
PERSISTENT = 0
EPHEMERAL = 1
PERSISTENT_SEQUENTIAL = 2
EPHEMERAL_SEQUENTIAL = 3
CONTAINER = 4
PERSISTENT_WITH_TTL = 5
PERSISTENT_SEQUENTIAL_WITH_TTL = 6

# Watch event types and the WatcherType values of check/removeWatches.
EVENT_NODE_CREATED = 1
EVENT_NODE_DELETED = 2
EVENT_NODE_DATA_CHANGED = 3
EVENT_NODE_CHILDREN_CHANGED = 4
WATCHER_CHILDREN = 1
WATCHER_DATA = 2
WATCHER_ANY = 3

# addWatch modes.
ADD_WATCH_PERSISTENT = 0
ADD_WATCH_PERSISTENT_RECURSIVE = 1

OPEN_ACL_UNSAFE = [(31, "world", "anyone")]

Stat = namedtuple(
    "Stat",
    "czxid mzxid ctime mtime version cversion aversion ephemeralOwner dataLength numChildren pzxid",
)
# `seq` is the arrival order of frames on the connection (events and replies share one counter).
Event = namedtuple("Event", "type state path zxid seq")
Reply = namedtuple("Reply", "xid zxid err body seq")
MultiResult = namedtuple("MultiResult", "type err body")

_STAT = struct.Struct("!qqqqiiiqiiq")


class ServerError(Exception):
    """A reply whose header carries a non-zero error code."""

    def __init__(self, err, zxid=None):
        super().__init__(f"server replied err={err}")
        self.err = err
        self.zxid = zxid


class ConnectionClosed(Exception):
    """The server closed the connection (or it was dropped) before a reply arrived."""


def error_of(fn, *args, **kwargs):
    """The error code of the ServerError that fn(*args, **kwargs) raises, or 0 if it succeeds."""
    try:
        fn(*args, **kwargs)
    except ServerError as e:
        return e.err
    return OK


class Writer:
    """Builds a jute-encoded record."""

    def __init__(self):
        self.buf = bytearray()

    def int(self, v):
        self.buf += struct.pack("!i", v)
        return self

    def long(self, v):
        self.buf += struct.pack("!q", v)
        return self

    def bool(self, v):
        self.buf += b"\x01" if v else b"\x00"
        return self

    def buffer(self, b):
        if b is None:
            return self.int(-1)
        self.int(len(b))
        self.buf += b
        return self

    def string(self, s):
        if s is None:
            return self.int(-1)
        return self.buffer(s.encode("utf-8"))

    def strings(self, items):
        self.int(len(items))
        for s in items:
            self.string(s)
        return self

    def acl(self, acl):
        self.int(len(acl))
        for perms, scheme, ident in acl:
            self.int(perms).string(scheme).string(ident)
        return self

    def bytes(self):
        return bytes(self.buf)


class Reader:
    """Reads a jute-encoded record."""

    def __init__(self, data, offset=0):
        self.data = bytes(data)
        self.pos = offset

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("record truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack("!i", self._take(4))[0]

    def long(self):
        return struct.unpack("!q", self._take(8))[0]

    def bool(self):
        return self._take(1) != b"\x00"

    def buffer(self):
        n = self.int()
        return None if n < 0 else self._take(n)

    def string(self):
        b = self.buffer()
        return None if b is None else b.decode("utf-8", "surrogatepass")

    def strings(self):
        n = self.int()
        return [] if n < 0 else [self.string() for _ in range(n)]

    def stat(self):
        return Stat(*_STAT.unpack(self._take(_STAT.size)))

    def acl(self):
        n = self.int()
        return [(self.int(), self.string(), self.string()) for _ in range(max(n, 0))]

    def remaining(self):
        return len(self.data) - self.pos


def frame(payload):
    """Prefix a payload with its 4-byte big-endian length."""
    return struct.pack("!i", len(payload)) + payload


def connect_request(timeout_ms=10000, session_id=0, passwd=b"\x00" * 16, last_zxid=0, read_only=False):
    """The body of a ConnectRequest (protocolVersion 0), without the length prefix."""
    return (
        Writer().int(0).long(last_zxid).int(timeout_ms).long(session_id).buffer(passwd).bool(read_only).bytes()
    )


def request(xid, op, body=b""):
    """A framed request: RequestHeader{xid, type} + body."""
    return frame(struct.pack("!ii", xid, op) + body)


def recv_exact(sock, n):
    """Read exactly n bytes; raise ConnectionClosed if the peer closes first."""
    chunks = bytearray()
    while len(chunks) < n:
        try:
            chunk = sock.recv(n - len(chunks))
        except ConnectionResetError as e:
            raise ConnectionClosed(str(e)) from e
        if not chunk:
            raise ConnectionClosed("connection closed by peer")
        chunks += chunk
    return bytes(chunks)


def read_frame(sock):
    (length,) = struct.unpack("!i", recv_exact(sock, 4))
    return recv_exact(sock, length)


ConnectResponse = namedtuple("ConnectResponse", "protocol_version timeout session_id passwd read_only")


def parse_connect_response(payload):
    r = Reader(payload)
    proto, timeout, sid, pw = r.int(), r.int(), r.long(), r.buffer()
    ro = r.bool() if r.remaining() else None
    return ConnectResponse(proto, timeout, sid, pw, ro)


def handshake(sock, **kwargs):
    """Send a ConnectRequest on an open socket and return the parsed ConnectResponse."""
    sock.sendall(frame(connect_request(**kwargs)))
    return parse_connect_response(read_frame(sock))


def wait_closed(sock, timeout):
    """True if the peer closes the socket (EOF or reset) within timeout seconds; other bytes are drained."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class RawClient:
    """One ZooKeeper session over one TCP connection, with a reader thread and optional pings."""

    def __init__(self, host, port, timeout_ms=10000, session_id=0, passwd=b"\x00" * 16, last_zxid=0,
                 ping=True, io_timeout=10.0):
        self.io_timeout = io_timeout
        self.sock = socket.create_connection((host, port), timeout=io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            resp = handshake(self.sock, timeout_ms=timeout_ms, session_id=session_id, passwd=passwd,
                             last_zxid=last_zxid)
        except BaseException:
            self.sock.close()
            raise
        self.session_id = resp.session_id
        self.passwd = resp.passwd
        self.negotiated_timeout = resp.timeout
        self.last_zxid = last_zxid
        self.events = queue.Queue()
        self.closed = threading.Event()
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies = {}
        self._xid = 0
        self._arrivals = 0
        if resp.timeout <= 0:
            self.sock.close()
            self.closed.set()
            raise ServerError(SESSION_EXPIRED)
        self.sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self._pinger = None
        if ping:
            self._pinger = threading.Thread(target=self._ping_loop, daemon=True)
            self._pinger.start()

    # -- plumbing -------------------------------------------------------------------------------------------------
    def _read_loop(self):
        try:
            while True:
                payload = read_frame(self.sock)
                r = Reader(payload)
                xid, zxid, err = r.int(), r.long(), r.int()
                self._arrivals += 1
                if xid == XID_NOTIFICATION:
                    self.events.put(Event(r.int(), r.int(), r.string(), zxid, self._arrivals))
                    continue
                if zxid > 0:
                    self.last_zxid = max(self.last_zxid, zxid)
                with self._cond:
                    self._replies[xid] = Reply(xid, zxid, err, payload[r.pos :], self._arrivals)
                    self._cond.notify_all()
        except (ConnectionClosed, OSError, ValueError):
            pass
        finally:
            self.closed.set()
            with self._cond:
                self._cond.notify_all()

    def _ping_loop(self):
        interval = max(self.negotiated_timeout / 3000.0, 0.05)
        while not self.closed.wait(interval):
            try:
                self.send_raw(request(XID_PING, OP_PING))
            except OSError:
                return

    def send_raw(self, data):
        with self._send_lock:
            self.sock.sendall(data)

    def next_xid(self):
        with self._cond:
            self._xid += 1
            return self._xid

    def call(self, op, body=b"", xid=None, timeout=None, check=True):
        """Send one request and wait for its reply. Raises ServerError on err != 0 when check is true."""
        xid = self.next_xid() if xid is None else xid
        self.send_raw(request(xid, op, body))
        reply = self.wait_reply(xid, timeout)
        if check and reply.err != OK:
            raise ServerError(reply.err, reply.zxid)
        return reply

    def wait_reply(self, xid, timeout=None):
        timeout = self.io_timeout if timeout is None else timeout
        with self._cond:
            ok = self._cond.wait_for(lambda: xid in self._replies or self.closed.is_set(), timeout)
            if xid in self._replies:
                return self._replies.pop(xid)
        if not ok:
            raise TimeoutError(f"no reply to xid {xid} within {timeout}s")
        raise ConnectionClosed("connection closed before the reply")

    def next_event(self, timeout=5.0):
        """The next watch notification, or None if none arrives within timeout seconds."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain_events(self):
        """Every notification the server sent before answering a fresh round trip (an exists on "/").

        A server sends a session the events of a change before any later reply to that session, so once another
        client's write has returned, this collects the events it fired without guessing at delays.
        """
        barrier = self.call(OP_EXISTS, Writer().string("/").bool(False).bytes())
        out = []
        while True:
            try:
                ev = self.events.get_nowait()
            except queue.Empty:
                return out
            out.append(ev)

    def drop(self):
        """Close the TCP connection without ending the session."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.closed.wait(self.io_timeout)

    def close(self):
        """End the session (closeSession) and close the connection; safe to call twice."""
        if not self.closed.is_set():
            try:
                self.call(OP_CLOSE_SESSION, timeout=5.0, check=False)
            except (ConnectionClosed, TimeoutError, OSError):
                pass
        self.drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- operations -----------------------------------------------------------------------------------------------
    def create(self, path, data=b"", flags=PERSISTENT, acl=None, ttl=None, op=None):
        """create2 / createContainer / createTTL; returns (path, Stat)."""
        if op is None:
            op = OP_CREATE_TTL if ttl is not None else (OP_CREATE_CONTAINER if flags == CONTAINER else OP_CREATE2)
        w = Writer().string(path).buffer(data).acl(acl or OPEN_ACL_UNSAFE).int(flags)
        if op == OP_CREATE_TTL:
            w.long(ttl)
        r = Reader(self.call(op, w.bytes()).body)
        if op == OP_CREATE:
            return r.string(), None
        return r.string(), r.stat()

    def delete(self, path, version=-1):
        self.call(OP_DELETE, Writer().string(path).int(version).bytes())

    def exists(self, path, watch=False):
        """Stat, or None for a missing node."""
        reply = self.call(OP_EXISTS, Writer().string(path).bool(watch).bytes(), check=False)
        if reply.err == NO_NODE:
            return None
        if reply.err != OK:
            raise ServerError(reply.err, reply.zxid)
        return Reader(reply.body).stat()

    def get_data(self, path, watch=False):
        r = Reader(self.call(OP_GET_DATA, Writer().string(path).bool(watch).bytes()).body)
        return r.buffer(), r.stat()

    def set_data(self, path, data, version=-1):
        return Reader(self.call(OP_SET_DATA, Writer().string(path).buffer(data).int(version).bytes()).body).stat()

    def get_children(self, path, watch=False):
        return Reader(self.call(OP_GET_CHILDREN, Writer().string(path).bool(watch).bytes()).body).strings()

    def add_watch(self, path, mode):
        self.call(OP_ADD_WATCH, Writer().string(path).int(mode).bytes())

    def check_watches(self, path, watcher_type):
        self.call(OP_CHECK_WATCHES, Writer().string(path).int(watcher_type).bytes())

    def remove_watches(self, path, watcher_type):
        self.call(OP_REMOVE_WATCHES, Writer().string(path).int(watcher_type).bytes())

    def who_am_i(self):
        r = Reader(self.call(OP_WHO_AM_I).body)
        n = r.int()
        return [(r.string(), r.string()) for _ in range(max(n, 0))]

    def get_ephemerals(self, prefix):
        return Reader(self.call(OP_GET_EPHEMERALS, Writer().string(prefix).bytes()).body).strings()

    def get_all_children_number(self, path):
        return Reader(self.call(OP_GET_ALL_CHILDREN_NUMBER, Writer().string(path).bytes()).body).int()

    def sync(self, path):
        return Reader(self.call(OP_SYNC, Writer().string(path).bytes()).body).string()

    def add_auth(self, scheme, credential):
        body = Writer().int(0).string(scheme).buffer(credential).bytes()
        return self.call(OP_AUTH, body, xid=XID_AUTH, check=False)

    def set_watches(self, relative_zxid, data=(), exist=(), child=()):
        body = Writer().long(relative_zxid).strings(list(data)).strings(list(exist)).strings(list(child)).bytes()
        self.call(OP_SET_WATCHES, body, xid=XID_SET_WATCHES)

    def set_watches2(self, relative_zxid, data=(), exist=(), child=(), persistent=(), recursive=()):
        w = Writer().long(relative_zxid)
        for paths in (data, exist, child, persistent, recursive):
            w.strings(list(paths))
        self.call(OP_SET_WATCHES2, w.bytes(), xid=XID_SET_WATCHES)

    def multi(self, ops, op=OP_MULTI):
        """Send a multi (or multiRead) of (opcode, body) pairs; returns (reply header err, zxid, [MultiResult])."""
        w = Writer()
        for sub_op, body in ops:
            w.int(sub_op).bool(False).int(-1)
            w.buf += body
        w.int(-1).bool(True).int(-1)
        reply = self.call(op, w.bytes(), check=False)
        r = Reader(reply.body)
        results = []
        while r.remaining():
            sub_type, done, err = r.int(), r.bool(), r.int()
            if done:
                break
            start = r.pos
            if sub_type == -1:
                err = r.int()
            elif sub_type == OP_CREATE:
                r.string()
            elif sub_type in (OP_CREATE2, OP_CREATE_CONTAINER, OP_CREATE_TTL):
                r.string()
                r.stat()
            elif sub_type == OP_SET_DATA:
                r.stat()
            elif sub_type == OP_GET_DATA:
                r.buffer()
                r.stat()
            elif sub_type == OP_GET_CHILDREN:
                r.strings()
            results.append(MultiResult(sub_type, err, reply.body[start : r.pos]))
        return reply.err, reply.zxid, results


def op_create(path, data=b"", flags=PERSISTENT, acl=None, ttl=None):
    w = Writer().string(path).buffer(data).acl(acl or OPEN_ACL_UNSAFE).int(flags)
    if ttl is not None:
        w.long(ttl)
    return w.bytes()


def op_delete(path, version=-1):
    return Writer().string(path).int(version).bytes()


def op_set_data(path, data, version=-1):
    return Writer().string(path).buffer(data).int(version).bytes()


def op_check(path, version):
    return Writer().string(path).int(version).bytes()


def op_path_watch(path, watch=False):
    return Writer().string(path).bool(watch).bytes()
