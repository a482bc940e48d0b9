"""Jute binary encoding: big-endian primitives, length-prefixed buffers/strings/vectors."""
import struct


class Writer:
    def __init__(self):
        self._parts = []

    def int(self, value):
        self._parts.append(struct.pack(">i", value))
        return self

    def long(self, value):
        self._parts.append(struct.pack(">q", value))
        return self

    def bool(self, value):
        self._parts.append(b"\x01" if value else b"\x00")
        return self

    def buffer(self, value):
        if value is None:
            return self.int(-1)
        self.int(len(value))
        self._parts.append(bytes(value))
        return self

    def string(self, value):
        if value is None:
            return self.int(-1)
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogatepass")
        return self.buffer(value)

    def vector(self, items, write_item):
        if items is None:
            return self.int(-1)
        self.int(len(items))
        for item in items:
            write_item(self, item)
        return self

    def raw(self, data):
        self._parts.append(data)
        return self

    def bytes(self):
        return b"".join(self._parts)


class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def _take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError(f"need {n} bytes at offset {self.pos}, have {len(self.data) - self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self._take(4))[0]

    def long(self):
        return struct.unpack(">q", self._take(8))[0]

    def bool(self):
        return self._take(1) != b"\x00"

    def buffer(self):
        n = self.int()
        if n == -1:
            return None
        return self._take(n)

    def string(self):
        raw = self.buffer()
        return None if raw is None else raw.decode("utf-8", "surrogateescape")

    def vector(self, read_item):
        n = self.int()
        if n == -1:
            return None
        return [read_item(self) for _ in range(n)]

    def remaining(self):
        return len(self.data) - self.pos


STAT_FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion",
               "ephemeralOwner", "dataLength", "numChildren", "pzxid")


def read_stat(r):
    return {
        "czxid": r.long(), "mzxid": r.long(), "ctime": r.long(), "mtime": r.long(),
        "version": r.int(), "cversion": r.int(), "aversion": r.int(),
        "ephemeralOwner": r.long(), "dataLength": r.int(), "numChildren": r.int(), "pzxid": r.long(),
    }


def write_acl(w, acl):
    perms, scheme, ident = acl
    w.int(perms).string(scheme).string(ident)


def read_acl(r):
    perms = r.int()
    return (perms, r.string(), r.string())
