"""Malformed input on one connection affects that connection only: the server closes it (or answers with an
error) while a concurrent kazoo client keeps working."""
import socket
import struct

import pytest

import harness
import rawzk

JUTE_MAXBUFFER = 0xFFFFF  # 1,048,575: the largest frame length the server accepts by default


@pytest.fixture
def bystander(client, zpath):
    """A kazoo client that must keep working; checked after each bad-input test."""
    client.create(zpath + "/alive", b"0")
    yield client
    assert client.connected
    assert client.set(zpath + "/alive", b"1").version >= 1
    assert client.get(zpath + "/alive")[0] == b"1"


def connect(server, handshake=True):
    s = socket.create_connection((harness.HOST, server.port), timeout=5)
    if handshake:
        assert rawzk.handshake(s).timeout > 0
    return s


def read_available(s, timeout=3.0):
    """('closed' | 'open', bytes received): read until the peer closes or `timeout` passes quietly."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return "closed", data
            data += chunk
    except socket.timeout:
        return "open", data
    except ConnectionResetError:
        return "closed", data


def reply_header(data):
    length, xid, zxid, err = struct.unpack("!iiqi", data[:20])
    return length, xid, zxid, err


# -------------------------------------------------------------------------------------------- (a) frame lengths
@pytest.mark.parametrize("length", [0x7FFFFFFF, JUTE_MAXBUFFER + 1, -5, 0])
def test_bad_frame_length_closes_connection(server, bystander, length):
    with connect(server) as s:
        s.sendall(struct.pack("!i", length) + b"\x00" * 16)
        assert read_available(s) == ("closed", b"")


def test_huge_length_before_handshake_closes_connection(server, bystander):
    with connect(server, handshake=False) as s:
        s.sendall(struct.pack("!i", 0x7FFFFFFF))
        assert read_available(s) == ("closed", b"")


@pytest.mark.parametrize("frame_length, accepted", [(JUTE_MAXBUFFER, True), (JUTE_MAXBUFFER + 1, False)])
def test_frame_length_limit_is_jute_maxbuffer(server, bystander, zpath, frame_length, accepted):
    path = zpath + "/big"
    empty = rawzk.Writer().string(path).buffer(b"").acl(rawzk.OPEN_ACL_UNSAFE).int(0).bytes()
    data = b"x" * (frame_length - 8 - len(empty))
    payload = struct.pack("!ii", 1, rawzk.OP_CREATE) + rawzk.op_create(path, data)
    assert len(payload) == frame_length
    with connect(server) as s:
        try:
            s.sendall(rawzk.frame(payload))
        except (ConnectionResetError, BrokenPipeError):
            # The server may refuse the frame from its length alone and close while we are still sending it;
            # unread bytes turn that close into a reset. Only a refused frame may end this way.
            assert not accepted
            assert bystander.exists(path) is None
            return
        if accepted:
            reply = rawzk.Reader(rawzk.read_frame(s))
            assert (reply.int(), reply.long() > 0, reply.int(), reply.string()) == (1, True, 0, path)
            assert bystander.exists(path).dataLength == len(data)
        else:
            assert read_available(s) == ("closed", b"")
            assert bystander.exists(path) is None


# ------------------------------------------------------------------------------------------------- (b) garbage
@pytest.mark.parametrize("garbage", [rawzk.frame(b"hello"), rawzk.frame(b"\x00\x00\x00\x01\x00\x00"),
                                     b"\xde\xad\xbe\xef" * 4], ids=["short-frame", "partial-header", "unframed"])
def test_garbage_after_handshake_closes_connection(server, bystander, garbage):
    with connect(server) as s:
        s.sendall(garbage)
        assert read_available(s) == ("closed", b"")


def test_incomplete_frame_waits_for_more(server, bystander):
    with connect(server) as s:
        s.sendall(struct.pack("!i", 100) + b"abc")
        assert read_available(s, 2) == ("open", b"")


def test_empty_auth_packet_closes_connection(server, bystander):
    with connect(server) as s:
        s.sendall(rawzk.request(rawzk.XID_AUTH, rawzk.OP_AUTH))
        assert read_available(s) == ("closed", b"")


# ------------------------------------------------------------------------------------ (c) no handshake first
@pytest.mark.parametrize("first", [
    rawzk.request(1, rawzk.OP_GET_DATA, rawzk.op_path_watch("/")),
    rawzk.request(rawzk.XID_PING, rawzk.OP_PING),
    rawzk.frame(b"\x00\x00\x00\x00"),
], ids=["getData", "ping", "short-connect"])
def test_request_before_handshake_closes_connection(server, bystander, first):
    with connect(server, handshake=False) as s:
        s.sendall(first)
        assert read_available(s) == ("closed", b"")


# --------------------------------------------------------------------------------------------- (d) bad opcodes
@pytest.mark.parametrize("opcode", [999, 50, 23, 10, 0, -3])
def test_unknown_opcode_answers_unimplemented_then_closes(server, bystander, opcode):
    with connect(server) as s:
        s.sendall(rawzk.request(7, opcode, rawzk.Writer().string("/").bytes()))
        state, data = read_available(s)
    assert state == "closed"
    assert reply_header(data) == (16, 7, -1, rawzk.UNIMPLEMENTED)
    assert len(data) == 20


def test_session_survives_unknown_opcode(server, bystander, clients, zpath):
    victim = clients.raw()
    victim.create(zpath + "/e", flags=rawzk.EPHEMERAL)
    victim.send_raw(rawzk.request(99, 999))
    assert victim.wait_reply(99).err == rawzk.UNIMPLEMENTED
    assert victim.closed.wait(5)
    again = clients.raw(session_id=victim.session_id, passwd=victim.passwd)
    assert again.exists(zpath + "/e").ephemeralOwner == victim.session_id


def test_create_session_opcode_from_client_is_marshalling_error(server, bystander):
    with connect(server) as s:
        s.sendall(rawzk.request(3, -10))
        reply = rawzk.Reader(rawzk.read_frame(s))
        assert (reply.int(), reply.long() > 0, reply.int(), reply.remaining()) == (3, True, rawzk.MARSHALLING_ERROR, 0)
        assert read_available(s, 0.5) == ("open", b"")


# ---------------------------------------------------------------------------------------- (e) truncated bodies
@pytest.mark.parametrize("opcode, body", [
    (rawzk.OP_CREATE, struct.pack("!i", 100) + b"/abc"),
    (rawzk.OP_CREATE, b""),
    (rawzk.OP_SET_DATA, b""),
    (rawzk.OP_DELETE, rawzk.Writer().string("/x").bytes()),
    (rawzk.OP_GET_DATA, struct.pack("!i", 3) + b"/a"),
    (rawzk.OP_GET_DATA, b""),
    (rawzk.OP_EXISTS, b""),
    (rawzk.OP_GET_DATA, struct.pack("!i", 0x7FFFFFFF) + b"/a"),
    (rawzk.OP_MULTI, b"\x00\x00\x00\x01"),
], ids=["create-short-string", "create-empty", "set-empty", "delete-no-version", "get-short-string", "get-empty",
        "exists-empty", "get-huge-string", "multi-short"])
def test_truncated_body_is_marshalling_error_and_connection_stays(server, bystander, clients, opcode, body):
    c = clients.raw()
    reply = c.call(opcode, body, check=False)
    assert (reply.err, reply.body) == (rawzk.MARSHALLING_ERROR, b"")
    assert not c.closed.is_set()
    assert c.exists("/") is not None


def test_trailing_bytes_after_a_valid_body_are_ignored(server, bystander, clients, zpath):
    c = clients.raw()
    c.create(zpath + "/t", b"data")
    reply = c.call(rawzk.OP_GET_DATA, rawzk.op_path_watch(zpath + "/t") + b"junk")
    assert rawzk.Reader(reply.body).buffer() == b"data"
    assert c.call(rawzk.OP_WHO_AM_I, b"xyz").err == 0
