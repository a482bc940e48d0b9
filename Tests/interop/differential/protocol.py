"""Client-protocol vocabulary: opcodes, error names, request encoders and reply decoders.

An operation is a plain dict produced by the generator (see generator.py); `encode_request`
turns it into (opcode, body bytes) and `decode_reply` turns a successful reply body into a dict.
"""
import base64
import hashlib

from .jute import Reader, Writer, read_acl, read_stat, write_acl

OP = {
    "create": 1, "delete": 2, "exists": 3, "getData": 4, "setData": 5, "getACL": 6, "setACL": 7,
    "getChildren": 8, "sync": 9, "ping": 11, "getChildren2": 12, "check": 13, "multi": 14,
    "create2": 15, "checkWatches": 17, "removeWatches": 18, "createContainer": 19, "createTTL": 21,
    "multiRead": 22, "auth": 100, "getEphemerals": 103, "getAllChildrenNumber": 104,
    "addWatch": 106, "whoAmI": 107, "closeSession": -11, "error": -1,
}

ERRORS = {
    0: "OK", -1: "SYSTEMERROR", -2: "RUNTIMEINCONSISTENCY", -3: "DATAINCONSISTENCY",
    -4: "CONNECTIONLOSS", -5: "MARSHALLINGERROR", -6: "UNIMPLEMENTED", -7: "OPERATIONTIMEOUT",
    -8: "BADARGUMENTS", -12: "UNKNOWNSESSION", -13: "NEWCONFIGNOQUORUM", -14: "RECONFIGINPROGRESS",
    -100: "APIERROR", -101: "NONODE", -102: "NOAUTH", -103: "BADVERSION",
    -108: "NOCHILDRENFOREPHEMERALS", -110: "NODEEXISTS", -111: "NOTEMPTY", -112: "SESSIONEXPIRED",
    -113: "INVALIDCALLBACK", -114: "INVALIDACL", -115: "AUTHFAILED", -118: "SESSIONMOVED",
    -119: "NOTREADONLY", -120: "EPHEMERALONLOCALSESSION", -121: "NOWATCHER", -122: "REQUESTTIMEOUT",
    -123: "RECONFIGDISABLED", -124: "SESSIONCLOSEDREQUIRESASLAUTH", -125: "QUOTAEXCEEDED",
    -127: "THROTTLEDOP",
}

EVENT_TYPES = {-1: "None", 1: "NodeCreated", 2: "NodeDeleted", 3: "NodeDataChanged",
               4: "NodeChildrenChanged", 5: "DataWatchRemoved", 6: "ChildWatchRemoved",
               7: "PersistentWatchRemoved"}
STATES = {-1: "Unknown", 0: "Disconnected", 3: "SyncConnected", 4: "AuthFailed",
          5: "ConnectedReadOnly", 6: "SaslAuthenticated", -112: "Expired", 7: "Closed"}

NOTIFICATION_XID = -1
AUTH_XID = -4


def error_name(code):
    return ERRORS.get(code, f"UNKNOWN({code})")


def digest_id(user, password):
    """The id a digest ACL names for user:password (base64 of SHA-1 of 'user:password')."""
    raw = hashlib.sha1(f"{user}:{password}".encode("utf-8")).digest()
    return f"{user}:{base64.b64encode(raw).decode('ascii')}"


# ---------------------------------------------------------------- requests

def _write_create(w, op):
    w.string(op["path"]).buffer(op["data"]).vector(op["acl"], write_acl).int(op["flags"])
    if op["opcode"] == OP["createTTL"]:
        w.long(op["ttl"])


def _write_sub(w, sub):
    """A sub-request of multi / multiRead (without its MultiHeader)."""
    kind = sub["kind"]
    if kind == "create":
        _write_create(w, sub)
    elif kind == "delete":
        w.string(sub["path"]).int(sub["version"])
    elif kind == "setData":
        w.string(sub["path"]).buffer(sub["data"]).int(sub["version"])
    elif kind == "check":
        w.string(sub["path"]).int(sub["version"])
    elif kind in ("getData", "getChildren"):
        w.string(sub["path"]).bool(False)
    else:
        raise ValueError(kind)


def _sub_opcode(sub):
    return sub["opcode"] if sub["kind"] == "create" else OP[sub["kind"]]


def encode_request(op):
    """Return (opcode, body) for an operation dict."""
    kind = op["kind"]
    w = Writer()
    if kind == "create":
        _write_create(w, op)
        return op["opcode"], w.bytes()
    if kind == "delete":
        w.string(op["path"]).int(op["version"])
    elif kind in ("exists", "getData", "getChildren", "getChildren2"):
        w.string(op["path"]).bool(op["watch"])
    elif kind == "setData":
        w.string(op["path"]).buffer(op["data"]).int(op["version"])
    elif kind in ("getACL", "sync", "getEphemerals", "getAllChildrenNumber"):
        w.string(op["path"])
    elif kind == "setACL":
        w.string(op["path"]).vector(op["acl"], write_acl).int(op["version"])
    elif kind in ("checkWatches", "removeWatches"):
        w.string(op["path"]).int(op["type"])
    elif kind == "addWatch":
        w.string(op["path"]).int(op["mode"])
    elif kind in ("multi", "multiRead"):
        for sub in op["ops"]:
            w.int(_sub_opcode(sub)).bool(False).int(-1)
            _write_sub(w, sub)
        w.int(-1).bool(True).int(-1)
    elif kind == "whoAmI":
        pass
    elif kind == "auth":
        w.int(0).string(op["scheme"]).buffer(op["auth"])
    else:
        raise ValueError(kind)
    return OP[kind], w.bytes()


# ---------------------------------------------------------------- replies

def _strings(r):
    return r.vector(lambda rr: rr.string())


def _read_client_info(r):
    return {"authScheme": r.string(), "user": r.string()}


def _read_multi_results(r):
    results = []
    while True:
        typ = r.int()
        done = r.bool()
        err = r.int()
        if done:
            results.append({"end": True, "type": typ, "err": err})
            break
        entry = {"type": typ, "err": err}
        if typ == OP["error"]:
            entry["errorResponse"] = error_name(r.int())
        elif typ in (OP["create"],):
            entry["path"] = r.string()
        elif typ in (OP["create2"], OP["createContainer"], OP["createTTL"]):
            entry["path"] = r.string()
            entry["stat"] = read_stat(r)
        elif typ == OP["setData"]:
            entry["stat"] = read_stat(r)
        elif typ in (OP["delete"], OP["check"]):
            pass
        elif typ == OP["getData"]:
            entry["data"] = r.buffer()
            entry["stat"] = read_stat(r)
        elif typ == OP["getChildren"]:
            entry["children"] = _strings(r)
        else:
            entry["undecoded"] = r.data[r.pos:]
            r.pos = len(r.data)
            break
        results.append(entry)
    return results


def decode_reply(op, body):
    """Decode the body of a reply with err == 0 (or any multi reply)."""
    kind = op["kind"]
    r = Reader(body)
    out = {}
    if kind == "create":
        out["path"] = r.string()
        if op["opcode"] != OP["create"]:
            out["stat"] = read_stat(r)
    elif kind in ("exists", "setData", "setACL"):
        if r.remaining():
            out["stat"] = read_stat(r)
    elif kind == "getData":
        out["data"] = r.buffer()
        out["stat"] = read_stat(r)
    elif kind == "getACL":
        out["acl"] = r.vector(read_acl)
        out["stat"] = read_stat(r)
    elif kind in ("getChildren", "getChildren2"):
        out["children"] = _strings(r)
        if kind == "getChildren2":
            out["stat"] = read_stat(r)
    elif kind == "sync":
        out["path"] = r.string()
    elif kind == "getEphemerals":
        out["ephemerals"] = _strings(r)
    elif kind == "getAllChildrenNumber":
        out["totalNumber"] = r.int()
    elif kind == "whoAmI":
        out["clientInfo"] = r.vector(_read_client_info)
    elif kind in ("multi", "multiRead"):
        out["results"] = _read_multi_results(r)
    if r.remaining():
        out["trailing"] = r.data[r.pos:].hex()
    return out


def decode_event(body):
    r = Reader(body)
    typ = r.int()
    state = r.int()
    path = r.string()
    out = {"type": EVENT_TYPES.get(typ, typ), "state": STATES.get(state, state), "path": path}
    if r.remaining():
        out["trailing"] = r.data[r.pos:].hex()
    return out
