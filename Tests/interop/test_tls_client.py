"""Clients over TLS: kazoo with a client certificate on the secure client port (create, get, watch), the x509 ACL
scheme (the certificate's subject is the identity; admin is the super user), and ssl.clientAuth: `need` refuses a
client without a certificate, `want` lets it in without an x509 identity. With client.portUnification the plain
client port takes TLS clients as well. The super user's key is read with a "zookeeper." prefix too (ZooKeeper 3.8
only as that JVM property, which the harness passes with -D).
"""
import shutil
import tempfile
import threading

import pytest
from kazoo import exceptions as ke
from kazoo.security import ACL, CREATOR_ALL_ACL, Id, Permissions, make_acl

import harness
import tls
from conftest import ClientFactory

OP_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def certs():
    directory = tempfile.mkdtemp(prefix="interop-tls-client-")
    yield tls.make_certs(directory, servers=[1], clients=["alice", "bob", "admin"])
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(certs):
    """The module's server (it replaces conftest's): a plain client port and a TLS one, client certificates needed."""
    srv = harness.start(tls=tls.TLS(certs, quorum=False, client_auth="need"))
    yield srv
    srv.stop()


@pytest.fixture
def connect(clients, server, certs):
    """connect(name) -> a started KazooClient on the secure port presenting client.NAME.pem (None: no certificate)."""
    def make(name, srv=None):
        return clients.kazoo(hosts=(srv or server).secure_connect_string, **tls.kazoo_tls_args(certs, name))
    return make


def outcome(fn, *args, **kwargs):
    """'ok' or the name of the kazoo exception."""
    try:
        fn(*args, **kwargs)
    except ke.KazooException as e:
        return type(e).__name__
    return "ok"


def test_create_get_and_watch_over_tls(connect, client, zpath):
    alice = connect("alice")
    alice.create(zpath + "/n", b"one")
    assert alice.get(zpath + "/n")[0] == b"one"
    fired = threading.Event()
    events = []

    def watcher(event):
        events.append(event)
        fired.set()

    alice.get(zpath + "/n", watch=watcher)
    client.set(zpath + "/n", b"two")   # a plain-port client's write fires the TLS client's watch
    assert fired.wait(OP_TIMEOUT)
    assert events[0].type == "CHANGED" and events[0].path == zpath + "/n"
    assert alice.get(zpath + "/n")[0] == b"two"
    assert client.get(zpath + "/n")[0] == b"two"


def test_x509_acl_grants_the_certificate_subject(connect, client, zpath):
    alice, bob, admin = connect("alice"), connect("bob"), connect("admin")
    path = zpath + "/alice-only"
    alice.create(path, b"mine", acl=[make_acl("x509", tls.x509_id("alice"), all=True)])
    assert alice.get(path)[0] == b"mine"
    alice.set(path, b"still mine")
    assert alice.get_acls(path)[0] == [ACL(Permissions.ALL, Id("x509", "CN=alice,O=Aviary"))]

    assert outcome(bob.get, path) == "NoAuthError"
    assert outcome(bob.set, path, b"bob's") == "NoAuthError"
    assert outcome(client.get, path) == "NoAuthError"   # plain port: no certificate, no x509 identity
    # The super user's certificate passes every ACL.
    assert admin.get(path)[0] == b"still mine"
    admin.set(path, b"admin's")
    assert alice.get(path)[0] == b"admin's"


def test_auth_acl_expands_to_the_certificate_subject(connect, zpath):
    bob = connect("bob")
    bob.create(zpath + "/bobs", b"", acl=CREATOR_ALL_ACL)
    assert bob.get_acls(zpath + "/bobs")[0] == [ACL(Permissions.ALL, Id("x509", "CN=bob,O=Aviary"))]
    assert outcome(connect("alice").get, zpath + "/bobs") == "NoAuthError"


def test_need_refuses_a_client_without_certificate(connect, server, certs):
    healthy = connect("alice")
    drops = tls.assert_refused(server.secure_connect_string, **tls.kazoo_tls_args(certs, None))
    assert any("alert" in drop.lower() for drop in drops), drops   # told why, e.g. certificate required
    assert healthy.exists("/") is not None


def test_want_accepts_a_client_without_certificate_but_without_identity(certs):
    srv = harness.start(tls=tls.TLS(certs, quorum=False, client_auth="want"))
    clients = ClientFactory(srv)
    try:
        alice = clients.kazoo(hosts=srv.secure_connect_string, **tls.kazoo_tls_args(certs, "alice"))
        anonymous = clients.kazoo(hosts=srv.secure_connect_string, **tls.kazoo_tls_args(certs, None))
        alice.create("/alice-only", b"mine", acl=[make_acl("x509", tls.x509_id("alice"), read=True)])
        anonymous.create("/anyone", b"open")
        assert alice.get("/alice-only")[0] == b"mine"
        assert alice.get("/anyone")[0] == b"open"
        assert outcome(anonymous.get, "/alice-only") == "NoAuthError"
        with pytest.raises(ke.InvalidACLError):   # no identity for the auth scheme to expand to
            anonymous.create("/creator", acl=CREATOR_ALL_ACL)
    finally:
        clients.close_all()
        srv.stop()


def test_client_port_unification_takes_tls_and_plain_clients_on_one_port(certs):
    srv = harness.start(tls=tls.TLS(certs, quorum=False), extra_config={"client.portUnification": "true"})
    clients = ClientFactory(srv)
    try:
        alice = clients.kazoo(hosts=srv.connect_string, **tls.kazoo_tls_args(certs, "alice"))
        plain = clients.kazoo(hosts=srv.connect_string)
        alice.create("/alice-only", b"mine", acl=[make_acl("x509", tls.x509_id("alice"), all=True)])
        assert alice.get("/alice-only")[0] == b"mine"   # authenticated by its certificate on the plain port
        assert outcome(plain.get, "/alice-only") == "NoAuthError"
        plain.create("/plain", b"p")
        assert alice.get("/plain")[0] == b"p"
    finally:
        clients.close_all()
        srv.stop()


def test_super_user_key_with_zookeeper_prefix(certs):
    srv = harness.start(tls=tls.TLS(certs, quorum=False, super_user_key="zookeeper." + tls.SUPER_USER_KEY))
    clients = ClientFactory(srv)
    try:
        alice, bob, admin = (clients.kazoo(hosts=srv.secure_connect_string, **tls.kazoo_tls_args(certs, name))
                             for name in ("alice", "bob", "admin"))
        alice.create("/alice-only", b"mine", acl=[make_acl("x509", tls.x509_id("alice"), all=True)])
        assert outcome(bob.get, "/alice-only") == "NoAuthError"
        assert admin.get("/alice-only")[0] == b"mine"
    finally:
        clients.close_all()
        srv.stop()
