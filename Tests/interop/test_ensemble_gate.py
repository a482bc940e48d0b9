"""The gate ensemble.aviary_supports_ensembles() decides by a real probe; these fakes pin down each way it can decide,
so that a skip is never the result of a probe that misread the server. No ZooKeeper or Aviary server needed,
except for the last test, which probes the real binary."""
import os
import sys
import textwrap

import pytest

import ensemble

FAKE_SERVER = textwrap.dedent('''
    import re, socket, sys
    behaviour, config = sys.argv[1], sys.argv[3]
    if behaviour == "reject":
        print(f"{config}:10: server.2: replicated ensembles are not supported yet", file=sys.stderr)
        sys.exit(1)
    if behaviour == "crash":
        print("fatal: something unrelated went wrong", file=sys.stderr)
        sys.exit(3)
    port = int(re.search(r"^clientPort=(\\d+)$", open(config).read(), re.M).group(1))
    reply = {"standalone": "Zxid: 0x0\\nMode: standalone\\n",
             "looking": "This ZooKeeper instance is not currently serving requests\\n",
             "follower": "Zxid: 0x100000000\\nMode: follower\\n"}[behaviour]
    listener = socket.create_server(("127.0.0.1", port))
    while True:
        connection, _ = listener.accept()
        connection.recv(4)
        connection.sendall(reply.encode())
        connection.close()
''')


@pytest.fixture
def fake(tmp_path):
    path = tmp_path / "fake_server.py"
    path.write_text(FAKE_SERVER)
    return lambda behaviour: ensemble.probe_ensemble_support([sys.executable, str(path), behaviour],
                                                             probe_seconds=10)


def test_rejection_naming_server_lines_is_unsupported(fake):
    support = fake("reject")
    assert not support
    assert "server.2: replicated ensembles are not supported yet" in support.reason


def test_standalone_mode_despite_server_lines_is_unsupported(fake):
    support = fake("standalone")
    assert not support
    assert "standalone" in support.reason


@pytest.mark.parametrize("behaviour", ["looking", "follower"])
def test_ensemble_member_behaviour_is_supported(fake, behaviour):
    assert fake(behaviour)


def test_unrelated_crash_runs_the_tests_rather_than_hiding_it(fake):
    support = fake("crash")
    assert support
    assert "something unrelated went wrong" in support.reason


@pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") != "aviary", reason="probes Aviary's binary")
def test_gate_on_the_real_binary_agrees_with_start_ensemble():
    support = ensemble.aviary_supports_ensembles()
    print(f"\naviary_supports_ensembles() -> {support}")
    assert support.reason
    if not support:
        with pytest.raises(ensemble.EnsemblesUnsupported):
            ensemble.start_ensemble(["aviary", "aviary", "zookeeper"])
