"""Replace values that legitimately differ between two servers with stable symbols.

* zxids (reply headers, stat czxid/mzxid/pzxid, probe replies): each distinct value becomes "z<N>",
  N being its order of first appearance in this server's results; 0 and -1 stay literal.
* ctime / mtime: "<time>" (0 stays literal: the built-in nodes report 0).
* session ids and ephemeralOwner: "s<N>", N being the order in which this server's sessions opened.
* the zxid carried by a notification is looked up but never adds a symbol ("z?" when unseen),
  since ZooKeeper 3.8 sends -1 there and 3.9 sends the txn's zxid.
* lists whose order is unspecified are sorted: children (a hash set in ZooKeeper), ephemerals,
  whoAmI's client info and ACL lists (ZooKeeper keeps a given ACL's order, but an "auth" ACL expands
  to the session's identities in hash order).
* the events of a session-closing step are sorted: the server deletes that session's ephemeral
  nodes in an unspecified order.
"""
ZXID_KEYS = {"zxid", "czxid", "mzxid", "pzxid", "probeZxid"}
TIME_KEYS = {"ctime", "mtime"}
SESSION_KEYS = {"sessionId", "ephemeralOwner"}
UNORDERED_KEYS = {"children", "ephemerals", "acl", "clientInfo"}


class Normaliser:
    def __init__(self):
        self.zxids = {}
        self.sessions = {}

    def register_session(self, session_id):
        if session_id not in self.sessions:
            self.sessions[session_id] = f"s{len(self.sessions)}"

    def _zxid(self, value):
        if value in (0, -1):
            return value
        if value not in self.zxids:
            self.zxids[value] = f"z{len(self.zxids)}"
        return self.zxids[value]

    def _event_zxid(self, value):
        if value in (0, -1):
            return value
        return self.zxids.get(value, "z?")

    def _session(self, value):
        if value == 0:
            return 0
        if value in self.sessions:
            return self.sessions[value]
        return f"unknown-session-{value:#x}"

    def _walk(self, value, key=None, in_event=False):
        if isinstance(value, dict):
            is_event = "type" in value and "state" in value and "path" in value
            return {k: self._walk(v, k, in_event or is_event) for k, v in value.items()}
        if isinstance(value, list):
            items = [self._walk(v, key, in_event) for v in value]
            return sorted(items, key=repr) if key in UNORDERED_KEYS else items
        if isinstance(value, tuple):
            return tuple(self._walk(v, key, in_event) for v in value)
        if isinstance(value, int) and not isinstance(value, bool):
            if key == "zxid" and in_event:
                return self._event_zxid(value)
            if key in ZXID_KEYS:
                return self._zxid(value)
            if key in TIME_KEYS:
                return 0 if value == 0 else "<time>"
            if key in SESSION_KEYS:
                return self._session(value)
        return value

    def normalise(self, op, result):
        """Register sessions opened by this step, then return a normalised copy of the result."""
        for connect in _connects(result):
            self.register_session(connect["sessionId"])
        out = self._walk(result)
        if op.get("kind") == "reconnect" or "closedEvents" in out:
            _sort_event_lists(out)
        return out


def _is_event_list(items):
    # watch events, plus the runner's "<reply>" mark
    return all(e == "<reply>" or (isinstance(e, dict) and "type" in e and "state" in e) for e in items)


def _sort_event_lists(value):
    """Sort, in place, every list of watch events inside value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, list) and v and _is_event_list(v):
                value[k] = sorted(v, key=repr)
            else:
                _sort_event_lists(v)
    elif isinstance(value, list):
        for v in value:
            _sort_event_lists(v)


def _connects(result):
    if isinstance(result, dict):
        if "connect" in result:
            yield result["connect"]
        for v in result.values():
            if isinstance(v, (dict, list)):
                yield from _connects(v)
    elif isinstance(result, list):
        for v in result:
            yield from _connects(v)
