"""bin/aviary-ensemble start --tls: certificates from `aviary-server certs` in the state directory, TLS between the
members and a TLS client port on each, the TLS connect string and the client's files printed by start and status;
kazoo over TLS with client.admin.pem writes and reads; stop stops every member.

Under INTEROP_TARGET=zookeeper the members are ZooKeeper (`--zookeeper 1,2,3`); the certificates still come from
the Aviary binary.
"""
import os
import re
import subprocess

import pytest
from kazoo.client import KazooClient

import ensemble
import tls
from test_ensemble_script import SCRIPT, EnsembleScript, alive

STATUS_LINE = re.compile(r"^server\.(\d+) kind=(\w+) pid=(\d+|-) client=127\.0\.0\.1:(\d+) tls=127\.0\.0\.1:(\d+) "
                         r"mode=([\w-]+)$")


def printed(label, output):
    match = re.search(rf"^{re.escape(label)}: (\S+)$", output, re.MULTILINE)
    assert match, f"no '{label}:' line in:\n{output}"
    return match.group(1)


@pytest.fixture
def script():
    kinds = [ensemble.resolve_kind("aviary")] * 3
    made = EnsembleScript(kinds)
    made.env["AVIARY_ENSEMBLE_SERVER"] = os.environ["AVIARY_SERVER_BIN"]   # for the certificates
    yield made
    made.clean_up()


def test_start_with_tls_serves_kazoo_over_tls(script):
    code, out, err = script.run("start", "3", "--tls",
                                *(["--zookeeper", script.zookeeper_ids] if script.zookeeper_ids else []))
    assert code == 0, out + err
    plain = printed("Connect string", out)
    secure = printed("TLS connect string", out)
    ca = printed("TLS CA certificate", out)
    identity = printed("TLS client key and certificate (CN=admin,O=Aviary, super user)", out)
    certs_dir = os.path.join(script.state_dir, "certs")
    assert (ca, identity) == (os.path.join(certs_dir, "ca.pem"), os.path.join(certs_dir, "client.admin.pem"))

    code, status_out, _ = script.run("status", timeout=60)
    members = {int(m.group(1)): m.groups()[1:] for m in map(STATUS_LINE.match, status_out.splitlines()) if m}
    assert code == 0 and sorted(members) == [1, 2, 3], status_out
    assert secure == ",".join(f"127.0.0.1:{members[sid][3]}" for sid in (1, 2, 3))
    assert plain == ",".join(f"127.0.0.1:{members[sid][2]}" for sid in (1, 2, 3))
    assert printed("TLS connect string", status_out) == secure
    with open(os.path.join(script.state_dir, "members")) as f:
        assert [len(line.split()) for line in f if line.strip()] == [6, 6, 6]

    client = KazooClient(hosts=secure, timeout=8.0, use_ssl=True, verify_certs=True, ca=ca, certfile=identity,
                         keyfile=identity,
                         connection_retry={"max_tries": -1, "delay": 0.1, "backoff": 1, "max_delay": 0.5})
    client.start(timeout=20)
    try:
        client.create_async("/script-tls", b"over tls").get(timeout=10)
        assert client.get_async("/script-tls").get(timeout=10)[0] == b"over tls"
    finally:
        client.stop()
        client.close()
    # A client without a certificate is not let in on the TLS ports (ssl.clientAuth=need).
    tls.assert_refused(secure, use_ssl=True, verify_certs=True, ca=ca)

    pids = [int(m[1]) for m in members.values()]
    code, out, err = script.run("stop")
    assert code == 0, out + err
    assert not any(alive(pid) and script.started_here(pid) for pid in pids)


def test_tls_is_an_option_of_start_only(tmp_path):
    env = dict(os.environ, AVIARY_ENSEMBLE_DIR=str(tmp_path / "state"))
    for args in (["status", "--tls"], ["stop", "--tls"], ["kill", "1", "--tls"]):
        result = subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL)
        assert result.returncode == 2 and "--tls" in result.stderr, args
