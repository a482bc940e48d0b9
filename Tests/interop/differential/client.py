"""A minimal synchronous client session: one TCP connection, one request in flight at a time.

Watch notifications (xid -1) that arrive while waiting for a reply are kept, in arrival order,
in `pending_events` until the caller takes them.
"""
import socket
import struct

from .jute import Reader, Writer
from .protocol import AUTH_XID, NOTIFICATION_XID, decode_event


class ServerClosed(Exception):
    """The server closed the connection (or it broke) before the expected frame arrived."""


class RawSession:
    def __init__(self, host, port, timeout_ms=30000, io_timeout=15.0):
        self.host = host
        self.port = port
        self.timeout_ms = timeout_ms
        self.io_timeout = io_timeout
        self.sock = None
        self.session_id = None
        self.passwd = None
        self.last_zxid = 0
        self.next_xid = 1
        self.pending_events = []

    # ------------------------------------------------------------ framing
    def _recv_exact(self, n):
        chunks = []
        while n:
            try:
                chunk = self.sock.recv(n)
            except (ConnectionResetError, BrokenPipeError) as e:
                raise ServerClosed(str(e)) from e
            if not chunk:
                raise ServerClosed("connection closed by server")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self):
        (length,) = struct.unpack(">i", self._recv_exact(4))
        if length < 0 or length > 16 * 1024 * 1024:
            raise ServerClosed(f"bad frame length {length}")
        return self._recv_exact(length)

    def _send_frame(self, payload):
        try:
            self.sock.sendall(struct.pack(">i", len(payload)) + payload)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise ServerClosed(str(e)) from e

    # ------------------------------------------------------------ session
    def connect(self, session_id=0, passwd=b"\x00" * 16, last_zxid=0):
        """Open a new session (or re-attach to an existing one); return the ConnectResponse fields."""
        self.sock = socket.create_connection((self.host, self.port), timeout=self.io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        w = Writer().int(0).long(last_zxid).int(self.timeout_ms).long(session_id).buffer(passwd).bool(False)
        self._send_frame(w.bytes())
        r = Reader(self._read_frame())
        reply = {"protocolVersion": r.int(), "timeOut": r.int(), "sessionId": r.long()}
        passwd = r.buffer()
        reply["passwdLength"] = None if passwd is None else len(passwd)
        self.passwd = passwd
        reply["readOnly"] = r.bool() if r.remaining() else None
        if r.remaining():
            reply["trailing"] = r.data[r.pos:].hex()
        self.session_id = reply["sessionId"]
        return reply

    def request(self, opcode, body, xid=None):
        """Send one request and wait for its reply.

        Returns {"xid", "zxid", "err", "body"}; notifications that came first go to pending_events.
        """
        if xid is None:
            xid = self.next_xid
            self.next_xid += 1
        self._send_frame(Writer().int(xid).int(opcode).raw(body).bytes())
        while True:
            r = Reader(self._read_frame())
            rxid, zxid, err = r.int(), r.long(), r.int()
            rest = r.data[r.pos:]
            if rxid == NOTIFICATION_XID:
                event = decode_event(rest)
                event["zxid"] = zxid
                event["err"] = err
                self.pending_events.append(event)
                continue
            if zxid > self.last_zxid:
                self.last_zxid = zxid
            if rxid != xid:
                raise ServerClosed(f"reply xid {rxid} does not match request xid {xid}")
            return {"xid": rxid, "zxid": zxid, "err": err, "body": rest}

    def auth(self, body):
        return self.request(100, body, xid=AUTH_XID)

    def take_events(self):
        events, self.pending_events = self.pending_events, []
        return events

    def server_closed_within(self, seconds):
        """True if the server closes the connection within `seconds` (frames meanwhile are dropped)."""
        self.sock.settimeout(seconds)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.io_timeout)

    def close_socket(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None
