"""Executes operations on one server through a fixed number of session slots.

For every operation the result holds the reply (or the error code), then, for every slot, the watch
events that slot has received so far. Events are drained deterministically: after the operation each
slot sends a cheap `exists /` and everything that arrives before its reply is that slot's events
(a server sends a notification before the reply to any later request on the same session).
The slot that ran the operation also records where its own reply fell among its events ("<reply>").
"""
from .client import RawSession, ServerClosed
from .protocol import OP, decode_reply, encode_request, error_name

REPLY_MARK = "<reply>"


class World:
    def __init__(self, host, port, slots=4, session_timeout_ms=30000):
        self.host = host
        self.port = port
        self.slots = [None] * slots
        self.session_timeout_ms = session_timeout_ms
        self.session_ids = []          # every session id this world opened, in order
        self.seq_children = {}         # parent path -> sequential child paths, in creation order

    # ------------------------------------------------------------ sessions
    def _open(self, slot):
        s = RawSession(self.host, self.port, timeout_ms=self.session_timeout_ms)
        reply = s.connect()
        self.slots[slot] = s
        self.session_ids.append(reply["sessionId"])
        return reply

    def open_all(self):
        return [self._open(i) for i in range(len(self.slots))]

    def close_all(self):
        results = []
        for i, s in enumerate(self.slots):
            if s is None:
                continue
            try:
                rep = s.request(OP["closeSession"], b"")
                results.append({"slot": i, "zxid": rep["zxid"], "err": error_name(rep["err"]),
                                "events": s.take_events()})
            except (ServerClosed, OSError) as e:
                results.append({"slot": i, "closed": str(e)})
            finally:
                s.close_socket()
                self.slots[i] = None
        return results

    def shutdown(self):
        """Best-effort close of every open session (after a failure), so that none of them expires
        later in the middle of another seed's run and adds a zxid there."""
        for i, s in enumerate(self.slots):
            if s is None or s.sock is None:
                self.slots[i] = None
                continue
            try:
                s.sock.settimeout(2.0)
                s.request(OP["closeSession"], b"")
            except (ServerClosed, OSError):
                pass
            finally:
                s.close_socket()
                self.slots[i] = None

    # ------------------------------------------------------------ paths
    def _resolve(self, path):
        if isinstance(path, tuple) and path[0] == "seq":
            _, parent, k = path
            created = self.seq_children.get(parent, [])
            if k < len(created):
                return created[-1 - k]
            return parent + "/n-9999999999"
        return path

    def resolve(self, op):
        out = dict(op)
        if "path" in out:
            out["path"] = self._resolve(out["path"])
        if "ops" in out:
            out["ops"] = [self.resolve(sub) for sub in out["ops"]]
        return out

    def _remember_created(self, op, path):
        if op.get("flags") not in (2, 3) or not path or "/" not in path:
            return
        parent, name = path.rsplit("/", 1)
        if name.startswith("n-") and len(name) == 12:
            self.seq_children.setdefault(parent or "/", []).append(path)

    # ------------------------------------------------------------ execution
    def execute(self, op):
        """Run one operation; return (resolved op, result)."""
        op = self.resolve(op)
        slot = op.get("session", 0)
        s = self.slots[slot]
        result = {}
        try:
            if op["kind"] == "reconnect":
                rep = s.request(OP["closeSession"], b"")
                result["reply"] = {"zxid": rep["zxid"], "err": error_name(rep["err"]),
                                   "bodyLength": len(rep["body"])}
                result["closedEvents"] = s.take_events()
                s.close_socket()
                result["connect"] = self._open(slot)
            else:
                opcode, body = encode_request(op)
                rep = s.auth(body) if op["kind"] == "auth" else s.request(opcode, body)
                reply = {"xid": rep["xid"], "zxid": rep["zxid"], "err": error_name(rep["err"])}
                if rep["err"] == 0 or op["kind"] in ("multi", "multiRead"):
                    reply["body"] = decode_reply(op, rep["body"])
                elif rep["body"]:
                    reply["trailing"] = rep["body"].hex()
                result["reply"] = reply
                self._after_reply(op, reply)
                if op["kind"] == "auth" and rep["err"] != 0:
                    # A failed auth ends the connection but not the session: check that the server
                    # closed it, re-attach to the session and close it (rather than let it expire at
                    # an unpredictable moment), then give the slot a new session.
                    reply["serverClosedConnection"] = s.server_closed_within(3.0)
                    result["closedEvents"] = s.take_events()
                    s.close_socket()
                    result["reattach"] = self._close_detached(s)
                    result["connect"] = self._open(slot)
        except ServerClosed:
            result["reply"] = {"connectionClosed": True}
            result["closedEvents"] = s.take_events()
            s.close_socket()
            if op["kind"] != "reconnect":
                result["reattach"] = self._close_detached(s)
            result["connect"] = self._open(slot)
        result["events"] = self._drain(slot)
        return op, result

    def _close_detached(self, old):
        s = RawSession(self.host, self.port, timeout_ms=self.session_timeout_ms)
        try:
            reattach = s.connect(session_id=old.session_id, passwd=old.passwd, last_zxid=old.last_zxid)
            rep = s.request(OP["closeSession"], b"")
            reattach["close"] = {"zxid": rep["zxid"], "err": error_name(rep["err"])}
            reattach["events"] = s.take_events()
            return reattach
        except ServerClosed as e:
            return {"connectionClosed": str(e)}
        finally:
            s.close_socket()

    def _after_reply(self, op, reply):
        body = reply.get("body") or {}
        if op["kind"] == "create" and reply["err"] == "OK":
            self._remember_created(op, body.get("path"))
        if op["kind"] == "multi":
            for sub, entry in zip(op["ops"], body.get("results", [])):
                if entry.get("type") in (1, 15, 19, 21) and entry.get("err") == 0:
                    self._remember_created(sub, entry.get("path"))

    def _drain(self, acting_slot):
        """Events each slot has received, after a round trip on every slot."""
        out = []
        probe = encode_request({"kind": "exists", "path": "/", "watch": False})
        for i, s in enumerate(self.slots):
            events = []
            if i == acting_slot:
                events = s.take_events() + [REPLY_MARK]
            rep = s.request(*probe)
            events += s.take_events()
            out.append({"events": events, "probeZxid": rep["zxid"], "probeErr": error_name(rep["err"])})
        return out
