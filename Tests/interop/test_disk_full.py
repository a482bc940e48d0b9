"""A full disk under the transaction log stops writes with a clear error, not a crash: reads keep working,
every acknowledged write is still there after a restart with more space, and the log is not corrupted."""
import os
import subprocess
import tempfile
import time

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NotReadOnlyCallError

import harness

pytestmark = pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") != "aviary" or os.geteuid() != 0,
                                reason="mounts a small tmpfs (root only) under Aviary's log")


@pytest.fixture
def small_log_dir():
    path = tempfile.mkdtemp(prefix="aviary-full-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", path]).returncode != 0:
        os.rmdir(path)
        pytest.skip("cannot mount a tmpfs here")
    yield path
    subprocess.run(["umount", "-l", path])
    os.rmdir(path)


def test_full_log_disk_refuses_writes_keeps_reads_and_loses_nothing(small_log_dir):
    server = harness.start(extra_config={"dataLogDir": small_log_dir, "preAllocSize": "16", "snapCount": "1000000"})
    acknowledged = {}
    try:
        client = KazooClient(server.connect_string, timeout=10, command_retry=None)
        client.start(timeout=10)
        refused = None
        for i in range(5000):
            path = f"/full-{i:05d}"
            try:
                client.create(path, b"x" * 200)
                acknowledged[path] = b"x" * 200
            except NotReadOnlyCallError as error:
                refused = error
                break
            except KazooException:
                # The write in flight when the disk filled is never acknowledged: its connection is dropped, and
                # the client re-attaches its session on its own.
                deadline = time.monotonic() + 10
                while not client.connected and time.monotonic() < deadline:
                    time.sleep(0.1)
                break
        assert len(acknowledged) > 100, "the log should take a few hundred writes before filling"
        if refused is None:
            with pytest.raises(NotReadOnlyCallError):
                client.create("/after-full", b"")
        assert client.get(next(iter(acknowledged)))[0] == b"x" * 200
        assert server.process.poll() is None, "the server must keep running"
        client.stop()
        client.close()
        assert "transaction log failed" in server.log()
    finally:
        server.kill()
    # More room (the same files on a bigger disk): everything acknowledged is back.
    subprocess.run(["mount", "-o", "remount,size=64m", small_log_dir], check=True)
    server.restart()
    try:
        client = KazooClient(server.connect_string, timeout=10)
        client.start(timeout=10)
        for path, data in acknowledged.items():
            assert client.get(path)[0] == data, path
        client.create("/after-restart", b"ok")
        client.stop()
        client.close()
    finally:
        server.stop()
