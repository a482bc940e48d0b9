"""Refused TLS connections: a client certificate from another CA, an expired client certificate, a plain-text client
on the TLS port and a TLS client on the plain-text port. Each gets no session within a bounded time, the server says
why in its log (and, for a refused certificate, in a TLS alert to the client), and clients already connected (over
TLS and plain) keep their sessions and keep working.
"""
import os
import re
import shutil
import tempfile

import pytest
from kazoo.protocol.states import KazooState

import harness
import tls
from conftest import wait_until

HOST = harness.HOST
LOG_WAIT = 10.0

# For each refusal, the substrings (any case) that one new line of the server's log must hold. Aviary's are its
# requirement: the reason and the remote address. ZooKeeper's are what 3.8 writes (an ERROR "Unsuccessful handshake
# with session 0x0" and the exception behind it on lines of their own); they keep the check honest on that target.
EXPECTED_LOG = {
    "aviary": {
        "wrong_ca": ("TLS handshake failed", HOST),
        "expired": ("TLS handshake failed", HOST, "expired"),
        "plain_on_tls": ("TLS handshake failed", HOST),
        "tls_on_plain": ("TLS client on the plain-text port", HOST),
    },
    "zookeeper": {
        "wrong_ca": ("Path does not chain with any of the trust anchors",),
        "expired": ("CertificateExpiredException",),
        "plain_on_tls": ("NotSslRecordException",),
        "tls_on_plain": ("Len error",),
    },
}


@pytest.fixture(scope="module")
def certs():
    directory = tempfile.mkdtemp(prefix="interop-tls-failures-")
    good = tls.make_certs(os.path.join(directory, "good"), servers=[1], clients=["alice"])
    good.issue(clients=["expired"], not_before="2020-01-01", days=1)
    other = tls.make_certs(os.path.join(directory, "other"), clients=["alice"])
    yield good, other
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(certs):
    srv = harness.start(tls=tls.TLS(certs[0], quorum=False, client_auth="need"))
    yield srv
    srv.stop()


def refused_attempt(case, server, certs):
    """(hosts, KazooClient TLS arguments) of the connection attempt that must be refused."""
    good, other = certs
    if case == "wrong_ca":      # trusts the server, but its own certificate comes from another CA
        return server.secure_connect_string, dict(tls.kazoo_tls_args(other, "alice"), ca=good.ca)
    if case == "expired":
        return server.secure_connect_string, tls.kazoo_tls_args(good, "expired")
    if case == "plain_on_tls":
        return server.secure_connect_string, {}
    if case == "tls_on_plain":
        return server.connect_string, tls.kazoo_tls_args(good, "alice")
    raise ValueError(case)


def log_line_with(text, parts):
    parts = [part.lower() for part in parts]
    return next((line for line in text.splitlines() if all(part in line.lower() for part in parts)), None)


def refusal_logged(server, certs, case):
    """Makes the attempt that case refuses; returns kazoo's warnings and the log lines the attempt caused, once the
    expected one is there."""
    start = len(server.log())
    hosts, args = refused_attempt(case, server, certs)
    drops = tls.assert_refused(hosts, **args)
    expected = EXPECTED_LOG[server.kind][case]
    wait_until(lambda: log_line_with(server.log()[start:], expected), timeout=LOG_WAIT,
               message=f"a log line with {expected}")
    return drops, server.log()[start:].splitlines()


@pytest.mark.parametrize("case", ["wrong_ca", "expired", "plain_on_tls", "tls_on_plain"])
def test_refused_without_disturbing_other_connections(case, server, certs, clients, zpath):
    good, _ = certs
    healthy_tls = clients.kazoo(hosts=server.secure_connect_string, **tls.kazoo_tls_args(good, "alice"))
    healthy_plain = clients.kazoo()
    sessions = (healthy_tls.client_id, healthy_plain.client_id)
    changes = []
    for client in (healthy_tls, healthy_plain):
        client.add_listener(lambda state: changes.append(state) or False)
    healthy_tls.create(zpath + "/before", b"tls")

    drops, _ = refusal_logged(server, certs, case)
    if case in ("wrong_ca", "expired"):
        # The server says why in a TLS alert, e.g. "[SSL: SSLV3_ALERT_CERTIFICATE_UNKNOWN] sslv3 alert ...".
        assert any("alert" in drop.lower() for drop in drops), drops

    healthy_plain.create(zpath + "/after", b"plain")
    assert healthy_tls.get(zpath + "/after")[0] == b"plain"
    assert healthy_plain.get(zpath + "/before")[0] == b"tls"
    assert (healthy_tls.client_id, healthy_plain.client_id) == sessions
    assert healthy_tls.state == healthy_plain.state == KazooState.CONNECTED
    assert changes == [], f"healthy clients changed state: {changes}"


def test_log_tells_a_wrong_ca_from_an_expired_certificate(server, certs):
    """Both refuse the client's certificate, for different reasons, and the log says which: the lines the two
    refusals add differ in more than times, ports and other numbers."""
    logged = {}
    for case in ("wrong_ca", "expired"):
        _, lines = refusal_logged(server, certs, case)
        logged[case] = {re.sub(r"[0-9]+", "#", line) for line in lines if line.strip()}
    assert logged["wrong_ca"] != logged["expired"], "the same log lines for both:\n" + "\n".join(logged["expired"])
