"""A seeded sequence of operations over a small key space, independent of any server's replies.

Paths are either concrete strings or ("seq", parent, k): "the k-th most recent sequential child created
under parent", which each runner resolves against what its own server returned (the generator never
looks at results, so both servers get the same sequence).

Watches are partitioned per session slot so that no (session, path) pair mixes one-shot and persistent
watches or the two persistent modes: ZooKeeper 3.8 keeps one mode per (session, path) while 3.9 keeps
several, and this suite must hold for both.
"""
import random

from .protocol import digest_id

USERS = {"alice": "secret", "bob": "hunter2"}
ALICE = digest_id("alice", USERS["alice"])
BOB = digest_id("bob", USERS["bob"])

ACLS = {
    "open": [(31, "world", "anyone")],
    "read": [(1, "world", "anyone")],
    "nodelete": [(23, "world", "anyone")],
    "alice": [(31, "digest", ALICE)],
    "mixed": [(1, "world", "anyone"), (31, "digest", BOB)],
    "creator": [(31, "auth", "")],
    "dup": [(31, "world", "anyone"), (31, "world", "anyone"), (3, "world", "anyone")],
    "bad-empty": [],
    "bad-scheme": [(31, "nosuch", "x")],
    "bad-digest": [(31, "digest", "nohash")],
    "bad-world": [(31, "world", "someone")],
}
ACL_WEIGHTS = {"open": 30, "read": 3, "nodelete": 2, "alice": 3, "mixed": 3, "creator": 3, "dup": 2,
               "bad-empty": 1, "bad-scheme": 1, "bad-digest": 1, "bad-world": 1}

# create flags: PERSISTENT 0, EPHEMERAL 1, PERSISTENT_SEQUENTIAL 2, EPHEMERAL_SEQUENTIAL 3, CONTAINER 4
FLAG_WEIGHTS = {0: 10, 1: 4, 2: 3, 3: 2}

OP_WEIGHTS = {
    "create": 20, "delete": 9, "exists": 7, "getData": 7, "setData": 9, "getChildren": 5,
    "getChildren2": 3, "getACL": 3, "setACL": 4, "auth": 2, "multi": 8, "multiRead": 2, "sync": 2,
    "addWatch": 5, "checkWatches": 1, "removeWatches": 1, "getEphemerals": 1,
    "getAllChildrenNumber": 1, "whoAmI": 1, "reconnect": 2, "badPath": 4, "ttl": 1,
}


def _pick(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Generator:
    def __init__(self, seed, root, sessions=4):
        self.rng = random.Random(seed)
        self.root = root
        self.sessions = sessions
        r = root
        self.level1 = [f"{r}/a", f"{r}/b", f"{r}/c"]
        self.level2 = [f"{r}/a/x", f"{r}/a/y", f"{r}/b/x", f"{r}/c/z"]
        # Level-3 nodes never get children from this generator, so containers live only here
        # (an empty container that once had children may be reaped at any time).
        self.level3 = [f"{r}/a/x/p", f"{r}/a/x/q", f"{r}/a/y/p", f"{r}/b/x/p"]
        self.keyspace = [r] + self.level1 + self.level2 + self.level3
        self.seq_parents = [r, f"{r}/a", f"{r}/b/x"]
        self.multi_paths = [f"{r}/m", f"{r}/a/m", f"{r}/b/x/m"]  # leaves only transactions create
        self.bad_paths = ["", "noslash", f"{r}/a/", f"{r}//a", f"{r}/a/./x", f"{r}/a/.", f"{r}/a/..",
                          f"{r}/a\x01", f"{r}/\U0001F600", f"{r}/a/\x00b", f"{r}/a/x/", f"{r}/a\x7f"]
        self.persistent = {}
        self.recursive = {}
        self.oneshot = {}
        for slot in range(sessions):
            paths = list(self.keyspace)
            self.rng.shuffle(paths)
            self.persistent[slot] = set(paths[:2])
            self.recursive[slot] = set(paths[2:3])
            if slot == sessions - 1 and r not in self.persistent[slot]:
                self.recursive[slot].add(r)
            self.oneshot[slot] = [p for p in self.keyspace
                                  if p not in self.persistent[slot] and p not in self.recursive[slot]]
        self.step = 0

    # ------------------------------------------------------------ choices
    def _data(self):
        return self.rng.choice([None, b"", b"a", b"bb", b"data-%d" % self.step, b"\x00\xff binary"])

    def _version(self):
        return -1 if self.rng.random() < 0.5 else self.rng.randrange(0, 4)

    def _acl(self):
        return ACLS[_pick(self.rng, ACL_WEIGHTS)]

    def _seq_ref(self):
        return ("seq", self.rng.choice(self.seq_parents), self.rng.randrange(0, 4))

    def _path(self):
        x = self.rng.random()
        if x < 0.82:
            return self.rng.choice(self.keyspace[1:])
        if x < 0.97:
            return self._seq_ref()
        return self.rng.choice(self.keyspace[:1])

    def _read_path(self, slot, watch):
        if watch:
            x = self.rng.random()
            if x < 0.85:
                return self.rng.choice(self.oneshot[slot])
            if x < 0.95:
                return self._seq_ref()
            return self.rng.choice(self.bad_paths[1:])
        x = self.rng.random()
        if x < 0.05:
            return self.rng.choice(["/", "/zookeeper"])
        if x < 0.1:
            return self.rng.choice(self.bad_paths)
        return self._path()

    def _create(self, path=None):
        flags = _pick(self.rng, FLAG_WEIGHTS)
        opcode = self.rng.choice([1, 1, 15])
        if path is None:
            if flags in (2, 3) and self.rng.random() < 0.8:
                path = self.rng.choice(self.seq_parents) + "/n-"
            else:
                path = self._path()
        if isinstance(path, str) and path in self.level3 and self.rng.random() < 0.25:
            # containers: via createContainer, or the container flag on create/create2
            if self.rng.random() < 0.6:
                opcode, flags = 19, 4
            else:
                flags = 4
        return {"kind": "create", "opcode": opcode, "path": path, "data": self._data(),
                "acl": self._acl(), "flags": flags}

    def _multi_sub(self):
        kind = self.rng.choice(["create", "create", "delete", "setData", "check"])
        # Mostly plausible sub-operations, so that whole transactions do commit now and then.
        version = -1 if self.rng.random() < 0.75 else self._version()
        if self.rng.random() < 0.04:
            path = self.rng.choice(self.bad_paths)
            if kind == "create":
                return {"kind": "create", "opcode": 1, "path": path, "data": b"", "acl": ACLS["open"], "flags": 0}
            return {"kind": kind, "path": path, "version": version, **({"data": b"x"} if kind == "setData" else {})}
        if kind == "create":
            sub = self._create()
            sub["opcode"] = 19 if sub["flags"] == 4 and self.rng.random() < 0.5 else 1
            if self.rng.random() < 0.8:
                sub["acl"] = ACLS["open"]
            return sub
        if kind == "delete":
            return {"kind": "delete", "path": self._path(), "version": version}
        if kind == "setData":
            return {"kind": "setData", "path": self._path(), "data": self._data(), "version": version}
        return {"kind": "check", "path": self._path(), "version": version}

    def _coherent_multi(self):
        """Sub-operations that commit together whenever the path's parent exists and the path does not."""
        if self.rng.random() < 0.7:
            path = self.rng.choice(self.multi_paths)
        else:
            path = self.rng.choice(self.level1 + self.level2 + self.level3)
        subs = [{"kind": "create", "opcode": 1, "path": path, "data": self._data(), "acl": ACLS["open"],
                 "flags": self.rng.choice([0, 0, 1])},
                {"kind": "setData", "path": path, "data": b"in-multi", "version": 0},
                {"kind": "check", "path": path, "version": 1}]
        if self.rng.random() < 0.6:
            subs.append({"kind": "delete", "path": path, "version": 1})
        return subs

    # ------------------------------------------------------------ operations
    def setup(self):
        return [{"kind": "create", "opcode": 1, "path": self.root, "data": b"root", "acl": ACLS["open"],
                 "flags": 0, "session": 0}]

    def next_op(self):
        self.step += 1
        rng = self.rng
        slot = rng.randrange(self.sessions)
        kind = _pick(rng, OP_WEIGHTS)
        if kind == "create":
            op = self._create()
        elif kind == "delete":
            op = {"kind": "delete", "path": self._path(), "version": self._version()}
        elif kind in ("exists", "getData", "getChildren", "getChildren2"):
            watch = rng.random() < 0.6
            op = {"kind": kind, "path": self._read_path(slot, watch), "watch": watch}
        elif kind == "setData":
            op = {"kind": "setData", "path": self._path(), "data": self._data(), "version": self._version()}
        elif kind == "getACL":
            op = {"kind": "getACL", "path": self._read_path(slot, False)}
        elif kind == "setACL":
            op = {"kind": "setACL", "path": rng.choice(self.keyspace[1:] + [self._seq_ref()]),
                  "acl": self._acl(), "version": self._version()}
        elif kind == "auth":
            x = rng.random()
            if x < 0.45:
                op = {"kind": "auth", "scheme": "digest", "auth": b"alice:" + USERS["alice"].encode()}
            elif x < 0.9:
                op = {"kind": "auth", "scheme": "digest", "auth": b"bob:" + USERS["bob"].encode()}
            elif x < 0.97:
                op = {"kind": "auth", "scheme": "digest", "auth": b"alice:wrong"}
            else:
                op = {"kind": "auth", "scheme": "nosuchscheme", "auth": b"x"}
        elif kind == "multi":
            if rng.random() < 0.35:
                subs = self._coherent_multi()
            else:
                subs = [self._multi_sub() for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))]
            if subs and rng.random() < 0.2:
                subs.insert(rng.randrange(len(subs) + 1), {"kind": "check", "path": self.root, "version": 99})
            op = {"kind": "multi", "ops": subs}
        elif kind == "multiRead":
            op = {"kind": "multiRead", "ops": [{"kind": rng.choice(["getData", "getChildren"]), "path": self._path()}
                                               for _ in range(rng.randrange(1, 4))]}
        elif kind == "sync":
            op = {"kind": "sync", "path": self._read_path(slot, False)}
        elif kind == "addWatch":
            choices = [(p, 0) for p in sorted(self.persistent[slot])] + [(p, 1) for p in sorted(self.recursive[slot])]
            path, mode = rng.choice(choices)
            op = {"kind": "addWatch", "path": path, "mode": mode}
        elif kind in ("checkWatches", "removeWatches"):
            op = {"kind": kind, "path": rng.choice(self.oneshot[slot]), "type": rng.choice([1, 2, 3])}
        elif kind == "getEphemerals":
            op = {"kind": "getEphemerals", "path": rng.choice([self.root, self.root + "/a", "/"])}
        elif kind == "getAllChildrenNumber":
            op = {"kind": "getAllChildrenNumber", "path": rng.choice(self.keyspace[:4] + ["/zookeeper"])}
        elif kind == "whoAmI":
            op = {"kind": "whoAmI"}
        elif kind == "reconnect":
            op = {"kind": "reconnect"}
        elif kind == "ttl":
            # TTL nodes need extendedTypesEnabled, which the servers under test do not set.
            # (Not generated: createTTL with a non-TTL mode and a negative ttl, which makes
            # ZooKeeper 3.8 exit.)
            op = self._create()
            op["opcode"], op["flags"] = rng.choice([(21, 5), (21, 6), (21, 0), (21, 3), (1, 5), (15, 6)])
            if op["opcode"] == 21:
                op["ttl"] = rng.choice([1000, 60000, 0, -5] if op["flags"] in (5, 6) else [0, 1000])
            if isinstance(op["path"], str) and op["path"].endswith("/n-") and op["flags"] not in (2, 3, 6):
                op["path"] = op["path"][:-3]
        else:  # badPath: a write or read aimed at an invalid or reserved path
            path = rng.choice(self.bad_paths + ["/"])
            which = rng.choice(["create", "create", "delete", "setData", "getData", "exists", "setACL", "getChildren"])
            if which == "create":
                op = self._create(path)
                if op["flags"] in (2, 3) and path != "":
                    op["flags"] = 0  # a sequential create on "/x/" would make a real, unreachable node
            elif which == "delete":
                op = {"kind": "delete", "path": path, "version": -1}
            elif which == "setData":
                op = {"kind": "setData", "path": path if path != "/" else "/x/", "data": b"z", "version": -1}
            elif which == "setACL":
                op = {"kind": "setACL", "path": path if path != "/" else "/x/", "acl": ACLS["open"], "version": -1}
            else:
                op = {"kind": which, "path": path, "watch": False}
        op["session"] = slot
        return op
