"""Certificate reload (client.certReload=true): the ensemble moves to a new CA by replacing the key and trust store
files in place. New connections are served with the new certificate and verified against the new trust store
within seconds, without a restart; a session opened before the change keeps working.
"""
import os
import shutil
import tempfile
import time

import pytest

import harness
import tls

RELOAD_WITHIN = 20.0


@pytest.fixture(scope="module")
def live_certs():
    """Two CAs' worth of certificates, and a directory the server reads whose files start as the first CA's."""
    directory = tempfile.mkdtemp(prefix="interop-tls-reload-")
    old = tls.make_certs(os.path.join(directory, "old"), servers=[1], clients=["alice"])
    new = tls.make_certs(os.path.join(directory, "new"), servers=[1], clients=["carol"])
    live = tls.Certs(os.path.join(directory, "live"))
    os.makedirs(live.directory)
    for name in ("ca.pem", "server.1.pem"):
        shutil.copy(os.path.join(old.directory, name), os.path.join(live.directory, name))
    yield old, new, live
    shutil.rmtree(directory, ignore_errors=True)


def replace(source, target):
    """Puts source's content at target in one step, as a deployment tool would."""
    staged = target + ".new"
    shutil.copy(source, staged)
    os.replace(staged, target)


@pytest.fixture(scope="module")
def server(live_certs):
    """The module's server (it replaces conftest's), reading its TLS files from the live directory."""
    srv = harness.start(tls=tls.TLS(live_certs[2], quorum=False), extra_config={"client.certReload": "true"})
    yield srv
    srv.stop()


@pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") == "zookeeper",
                    reason="client.certReload arrived in ZooKeeper 3.8.5; Debian ships 3.8.0")
def test_new_certificates_take_effect_without_a_restart(live_certs, server, clients, zpath):
    old, new, live = live_certs
    alice = clients.kazoo(hosts=server.secure_connect_string, **tls.kazoo_tls_args(old, "alice"))
    alice.create(zpath + "/n", b"before")

    replace(new.ca, live.ca)
    replace(new.server(1), live.server(1))
    deadline = time.monotonic() + RELOAD_WITHIN
    carol = None
    while carol is None:
        try:
            carol = clients.kazoo(hosts=server.secure_connect_string, timeout=4.0,
                                  connection_retry={"max_tries": 1, "delay": 0.1, "backoff": 1},
                                  **tls.kazoo_tls_args(new, "carol"))
        except Exception:
            assert time.monotonic() < deadline, f"the new certificates were not in use after {RELOAD_WITHIN}s"
            time.sleep(0.5)
    assert carol.get(zpath + "/n")[0] == b"before"
    # The old CA's certificate no longer opens a session; the session made under it lives on.
    tls.assert_refused(server.secure_connect_string, **tls.kazoo_tls_args(old, "alice"))
    alice.set(zpath + "/n", b"after")
    assert carol.get(zpath + "/n")[0] == b"after"
