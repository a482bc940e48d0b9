"""ACLs: world, auth, digest, ip; the permission each operation needs; getACL masking; InvalidACL; super user;
authentication failures."""
import base64
import hashlib

import pytest
from kazoo import exceptions as ke
from kazoo.protocol.states import KazooState
from kazoo.security import ACL, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Id, Permissions, make_acl, make_digest_acl

import rawzk
from conftest import wait_until


def digest_id(user, password):
    return user + ":" + base64.b64encode(hashlib.sha1(f"{user}:{password}".encode()).digest()).decode()


SERVER_CONFIG = {"DigestAuthenticationProvider.superDigest": digest_id("super", "secret")}


def outcome(fn, *args, **kwargs):
    """'ok' or the name of the kazoo exception."""
    try:
        fn(*args, **kwargs)
    except ke.KazooException as e:
        return type(e).__name__
    return "ok"


def test_digest_id_is_sha1_base64():
    # Sanity check of the helper against kazoo's own digest computation.
    assert make_digest_acl("u1", "p1", all=True).id.id == digest_id("u1", "p1")


def test_open_acl_is_default(client, zpath):
    client.create(zpath + "/n")
    acl, stat = client.get_acls(zpath + "/n")
    assert acl == OPEN_ACL_UNSAFE
    assert stat.aversion == 0


def test_digest_acl_requires_matching_auth(make_client, client, zpath):
    client.create(zpath + "/d", b"secret", acl=[make_digest_acl("u1", "p1", all=True)])
    anonymous = make_client()
    wrong = make_client(auth_data=[("digest", "u1:wrong")])
    right = make_client(auth_data=[("digest", "u1:p1")])
    assert outcome(anonymous.get, zpath + "/d") == "NoAuthError"
    assert outcome(wrong.get, zpath + "/d") == "NoAuthError"
    assert right.get(zpath + "/d")[0] == b"secret"
    anonymous.add_auth("digest", "u1:p1")
    assert anonymous.get(zpath + "/d")[0] == b"secret"


def test_auth_scheme_expands_to_session_identities(make_client, zpath):
    owner = make_client(auth_data=[("digest", "u1:p1"), ("digest", "u2:p2")])
    owner.create(zpath + "/c", acl=CREATOR_ALL_ACL)
    acl, _ = owner.get_acls(zpath + "/c")
    assert sorted(a.id.id for a in acl) == sorted([digest_id("u1", "p1"), digest_id("u2", "p2")])
    assert {(a.perms, a.id.scheme) for a in acl} == {(Permissions.ALL, "digest")}
    other = make_client(auth_data=[("digest", "u2:p2")])
    assert outcome(other.set, zpath + "/c", b"v") == "ok"


def test_auth_acl_without_identity_is_invalid(client, zpath):
    with pytest.raises(ke.InvalidACLError):
        client.create(zpath + "/c", acl=CREATOR_ALL_ACL)
    assert client.exists(zpath + "/c") is None


@pytest.mark.parametrize("acl", [
    ACL(Permissions.READ, Id("world", "nobody")),
    ACL(Permissions.READ, Id("digest", "no-colon")),
    ACL(Permissions.READ, Id("ip", "not-an-address")),
    ACL(Permissions.READ, Id("ip", "10.0.0.0/33")),
    ACL(Permissions.READ, Id("unknownscheme", "x")),
    ACL(Permissions.READ, Id("super", "")),
    ACL(Permissions.ALL, Id("auth", "someone")),
    ACL(Permissions.READ, Id("ip", "::1")),          # ZooKeeper 3.8 accepts IPv4 ip ids only
], ids=lambda a: f"{a.id.scheme}:{a.id.id}")
def test_invalid_acl(client, zpath, acl):
    with pytest.raises(ke.InvalidACLError):
        client.create(zpath + "/x", acl=[acl])
    with pytest.raises(ke.InvalidACLError):
        client.set_acls(zpath, [acl])


def test_permission_bits_are_not_validated(make_client, client, zpath):
    client.create(zpath + "/none", b"x", acl=[ACL(0, Id("world", "anyone"))])
    client.create(zpath + "/high", b"x", acl=[ACL(32, Id("world", "anyone"))])
    client.create(zpath + "/all", b"x", acl=[ACL(-1, Id("world", "anyone"))])
    other = make_client()
    assert outcome(other.get, zpath + "/none") == "NoAuthError"
    assert outcome(other.get, zpath + "/high") == "NoAuthError"
    assert other.get(zpath + "/all")[0] == b"x"
    assert client.get_acls(zpath + "/all")[0][0].perms == -1


def test_empty_acl_list(raw, zpath):
    # create with an empty list falls back to world:anyone ALL; setACL with an empty list is invalid.
    raw.create(zpath + "/e", acl=[])
    acl = rawzk.Reader(raw.call(rawzk.OP_GET_ACL, rawzk.Writer().string(zpath + "/e").bytes()).body).acl()
    assert acl == [(31, "world", "anyone")]
    body = rawzk.Writer().string(zpath + "/e").acl([]).int(-1).bytes()
    assert raw.call(rawzk.OP_SET_ACL, body, check=False).err == rawzk.INVALID_ACL


def test_ip_acl_exact_and_cidr(make_client, client, zpath):
    cases = {
        "exact": ("127.0.0.1", "ok"),
        "cidr": ("127.0.0.0/8", "ok"),
        "other": ("10.1.2.3", "NoAuthError"),
        "othercidr": ("10.0.0.0/8", "NoAuthError"),
    }
    for name, (ident, _) in cases.items():
        client.create(f"{zpath}/{name}", b"x", acl=[make_acl("ip", ident, all=True)])
    reader = make_client()
    for name, (ident, expected) in cases.items():
        assert outcome(reader.get, f"{zpath}/{name}") == expected, ident
    assert client.get_acls(zpath + "/cidr")[0] == [make_acl("ip", "127.0.0.0/8", all=True)]


def test_permission_needed_by_each_operation(make_client, client, zpath):
    """Give u1 exactly one permission at a time and check which operations it allows."""
    user = make_client(auth_data=[("digest", "u1:p1")])
    ops = {
        "get": lambda p: user.get(p),
        "children": lambda p: user.get_children(p),
        "exists": lambda p: user.exists(p),
        "set": lambda p: user.set(p, b"v"),
        "create": lambda p: user.create(p + "/child"),
        "delete": lambda p: user.delete(p + "/victim"),
        "getacl": lambda p: user.get_acls(p),
        "setacl": lambda p: user.set_acls(p, [make_digest_acl("u1", "p1", all=True)]),
    }
    allowed_by = {
        "read": {"get", "children", "exists", "getacl"},
        "write": {"set", "exists"},
        "create": {"create", "exists"},
        "delete": {"delete", "exists"},
        "admin": {"getacl", "setacl", "exists"},
    }
    for perm, allowed in allowed_by.items():
        node = f"{zpath}/{perm}"
        client.create(node)
        client.create(node + "/victim")
        client.set_acls(node, [make_digest_acl("u1", "p1", **{perm: True})])
        results = {name: outcome(op, node) for name, op in ops.items()}
        assert {n for n, r in results.items() if r == "ok"} == allowed, (perm, results)
        assert {r for n, r in results.items() if n not in allowed} <= {"NoAuthError"}, (perm, results)


def test_get_acl_masks_digests_without_admin(make_client, client, zpath):
    acl = [make_digest_acl("u1", "p1", read=True), make_digest_acl("u3", "p3", all=True)]
    client.create(zpath + "/m", acl=acl)
    reader = make_client(auth_data=[("digest", "u1:p1")])
    masked, _ = reader.get_acls(zpath + "/m")
    assert [(a.perms, a.id.scheme, a.id.id) for a in masked] == [(1, "digest", "u1:x"), (31, "digest", "u3:x")]
    admin = make_client(auth_data=[("digest", "u3:p3")])
    assert admin.get_acls(zpath + "/m")[0] == acl


def test_exists_and_multi_check(make_client, client, zpath):
    client.create(zpath + "/locked", acl=[make_acl("ip", "10.9.9.9", all=True)])
    other = make_client()
    assert other.exists(zpath + "/locked") is not None
    t = other.transaction()
    t.check(zpath + "/locked", 0)
    assert [type(r) for r in t.commit()] == [ke.NoAuthError]


def test_no_auth_inside_multi(make_client, client, zpath):
    client.create(zpath + "/locked/victim", makepath=True)
    client.set_acls(zpath + "/locked", [make_acl("ip", "10.9.9.9", all=True)])
    other = make_client()
    for build in (lambda t: t.create(zpath + "/locked/x"), lambda t: t.set_data(zpath + "/locked", b""),
                  lambda t: t.delete(zpath + "/locked/victim")):
        t = other.transaction()
        build(t)
        assert [type(r) for r in t.commit()] == [ke.NoAuthError]


def test_delete_is_governed_by_the_parent_acl(make_client, client, zpath):
    client.create(zpath + "/locked", acl=[make_acl("ip", "10.9.9.9", all=True)])
    other = make_client()
    assert outcome(other.get, zpath + "/locked") == "NoAuthError"
    other.delete(zpath + "/locked")
    assert client.exists(zpath + "/locked") is None


def test_super_digest_bypasses_acls(make_client, client, zpath):
    client.create(zpath + "/s", b"x", acl=[make_acl("ip", "10.9.9.9", all=True)])
    su = make_client(auth_data=[("digest", "super:secret")])
    assert su.get(zpath + "/s")[0] == b"x"
    assert su.set(zpath + "/s", b"y").version == 1
    su.create(zpath + "/s/child")
    su.delete(zpath + "/s/child")
    su.set_acls(zpath + "/s", OPEN_ACL_UNSAFE)
    assert client.get(zpath + "/s")[0] == b"y"


def test_who_am_i(clients):
    raw = clients.raw()
    assert raw.who_am_i() == [("ip", "127.0.0.1")]
    assert raw.add_auth("digest", b"u1:p1").err == 0
    assert sorted(raw.who_am_i()) == [("digest", "u1"), ("ip", "127.0.0.1")]
    assert raw.add_auth("digest", b"u1:p1").err == 0  # a repeated identity is listed once
    assert sorted(raw.who_am_i()) == [("digest", "u1"), ("ip", "127.0.0.1")]
    su = clients.raw()
    su.add_auth("digest", b"super:secret")
    assert sorted(su.who_am_i()) == [("digest", "super"), ("ip", "127.0.0.1"), ("super", "")]


def test_unknown_auth_scheme_fails_and_closes(clients):
    raw = clients.raw()
    reply = raw.add_auth("nosuchscheme", b"x")
    assert (reply.xid, reply.zxid, reply.err) == (rawzk.XID_AUTH, 0, rawzk.AUTH_FAILED)
    assert raw.closed.wait(5), "server kept the connection open after AuthFailed"


def test_kazoo_sees_auth_failed(make_client, client, zpath):
    bad = make_client()
    states = []
    bad.add_listener(states.append)
    with pytest.raises(ke.AuthFailedError):
        bad.add_auth("nosuchscheme", "x")
    wait_until(lambda: KazooState.LOST in states, 5, message="kazoo to report the session lost")
    # The failure affects that connection only.
    assert client.exists(zpath) is not None
