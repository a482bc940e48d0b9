"""The data-directory subcommands of aviary-server on a directory the real server wrote."""
import glob
import json
import os
import subprocess

import pytest
from kazoo.client import KazooClient

import harness

pytestmark = pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") != "aviary", reason="Aviary's tools")


def tool(*args):
    return subprocess.run([os.environ["AVIARY_SERVER_BIN"], *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def written():
    server = harness.start(extra_config={"snapCount": "50", "preAllocSize": "64"})
    client = KazooClient(server.connect_string, timeout=10)
    client.start(timeout=10)
    for i in range(200):
        client.create(f"/tools-{i:03d}", f"value-{i}".encode())
    client.stop()
    client.close()
    server.process.terminate()
    server.process.wait(timeout=20)
    yield server
    server.stop()


def version_dir(server):
    return os.path.join(server.workdir, "data", "version-2")


def test_verify_reports_what_startup_recovers(written):
    result = tool("verify", os.path.join(written.workdir, "zoo.cfg"))
    assert result.returncode == 0, result.stderr
    assert "nodes: 204" in result.stdout  # 200 + /, /zookeeper, /zookeeper/quota, /zookeeper/config
    assert result.stdout.rstrip().endswith("OK")


def test_logs_prints_every_txn_and_json(written):
    segments = sorted(glob.glob(os.path.join(version_dir(written), "log.*")))
    assert any(path.endswith(".gz") for path in segments), "segments recovery no longer reads are compressed"
    result = tool("logs", "--json", *segments)
    assert result.returncode == 0, result.stderr
    txns = [json.loads(line) for line in result.stdout.splitlines()]
    created = sorted(t["path"] for t in txns if t["type"] == "create")
    assert created == [f"/tools-{i:03d}" for i in range(200)]
    text = tool("logs", segments[-1])
    assert "checksums verified" in text.stdout


def test_snapshot_dump_verifies_seals(written):
    snapshot = sorted(glob.glob(os.path.join(version_dir(written), "snapshot.*")), key=os.path.getmtime)[-1]
    result = tool("snapshot", snapshot)
    assert result.returncode == 0, result.stderr
    assert "seals verified" in result.stdout


def test_damaged_snapshot_is_reported_with_the_file(written, tmp_path):
    snapshot = sorted(glob.glob(os.path.join(version_dir(written), "snapshot.*")), key=os.path.getmtime)[-1]
    damaged = tmp_path / os.path.basename(snapshot)
    data = bytearray(open(snapshot, "rb").read())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    result = tool("snapshot", str(damaged))
    assert result.returncode != 0
    assert str(damaged) in result.stderr


def test_decompress_then_purge(written):
    config = os.path.join(written.workdir, "zoo.cfg")
    result = tool("decompress", config)
    assert result.returncode == 0, result.stderr
    assert not glob.glob(os.path.join(version_dir(written), "log.*.gz"))
    result = tool("purge", "-n", "3", config)
    assert result.returncode == 0, result.stderr
    assert len(glob.glob(os.path.join(version_dir(written), "snapshot.*"))) == 3
    assert tool("verify", config).returncode == 0
    assert tool("purge", "-n", "2", config).returncode != 0
