"""bin/aviary-ensemble drives a local ensemble: start (free loopback ports, configs, myid, a quorum, the connect
string), status (one parseable line per member), kill N, restart N, stop, and start again on the kept data.

Variants: all Aviary, mixed, and all ZooKeeper (`--zookeeper 1,2,3`). Under INTEROP_TARGET=zookeeper the first two
would be the all-ZooKeeper run again, so they are skipped as duplicates.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile

import pytest
from kazoo.client import KazooClient

import ensemble
from conftest import wait_until

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "aviary-ensemble")
STATUS_LINE = re.compile(r"^server\.(\d+) kind=(\w+) pid=(\d+|-) client=127\.0\.0\.1:(\d+) mode=([\w-]+)$")
SERVING = ("leader", "follower", "observer")


class EnsembleScript:
    """Runs bin/aviary-ensemble in its own state directory; at teardown stops what it started."""

    def __init__(self, kinds):
        self.state_dir = tempfile.mkdtemp(prefix="aviary-ensemble-script-")
        self.env = dict(os.environ, AVIARY_ENSEMBLE_DIR=self.state_dir, AVIARY_ENSEMBLE_TICK_TIME="500",
                        AVIARY_ENSEMBLE_WAIT="60", AVIARY_STOP_WAIT="15")
        if "aviary" in kinds:
            self.env["AVIARY_ENSEMBLE_SERVER"] = os.environ["AVIARY_SERVER_BIN"]
        self.zookeeper_ids = ",".join(str(i + 1) for i, kind in enumerate(kinds) if kind == "zookeeper")

    def run(self, *args, timeout=120):
        result = subprocess.run([SCRIPT, *args], env=self.env, cwd=self.state_dir, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout, result.stderr

    def start(self, count=3):
        args = ["start", str(count)] + (["--zookeeper", self.zookeeper_ids] if self.zookeeper_ids else [])
        return self.run(*args)

    def status(self):
        """(exit status, {id: {kind, pid, port, mode}}, connect string)"""
        code, out, err = self.run("status", timeout=60)
        members = {}
        for line in out.splitlines():
            match = STATUS_LINE.match(line)
            if match:
                sid, kind, pid, port, mode = match.groups()
                members[int(sid)] = {"kind": kind, "pid": None if pid == "-" else int(pid), "port": int(port),
                                     "mode": mode}
        connect = re.search(r"^Connect string: (\S+)$", out, re.MULTILINE)
        assert connect, f"no connect string in status output:\n{out}\n{err}"
        return code, members, connect.group(1)

    def pids_from_files(self):
        pids = []
        for name in os.listdir(self.state_dir):
            path = os.path.join(self.state_dir, name, "server.pid")
            if name.startswith("server.") and os.path.exists(path):
                with open(path) as f:
                    text = f.read().strip()
                if text.isdigit():
                    pids.append(int(text))
        return pids

    def started_here(self, pid):
        """True while pid is a live process running a config of this state directory."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return self.state_dir.encode() in f.read()
        except OSError:
            return False

    def clean_up(self):
        self.run("stop", timeout=120)
        for pid in self.pids_from_files():
            if self.started_here(pid):  # stop did not manage: only this test's own members are killed
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.state_dir, ignore_errors=True)


@pytest.fixture
def script_for(request):
    made = []

    def make(kinds):
        resolved = [ensemble.resolve_kind(kind) for kind in kinds]
        if resolved != kinds and all(kind == "zookeeper" for kind in resolved):
            pytest.skip("under INTEROP_TARGET=zookeeper this is the all-ZooKeeper variant again")
        script = EnsembleScript(resolved)
        made.append(script)
        return script

    yield make
    for script in made:
        script.clean_up()


def alive(pid):
    """True while pid runs; a zombie (exited, not yet reaped by its new parent) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("kinds", [["zookeeper"] * 3, ["aviary"] * 3, ["aviary", "aviary", "zookeeper"]],
                         ids=["zookeeper", "aviary", "mixed"])
def test_start_status_kill_restart_stop(script_for, kinds):
    script = script_for(kinds)
    code, out, err = script.start()
    assert code == 0, out + err
    connect = re.search(r"^Connect string: (\S+)$", out, re.MULTILINE).group(1)

    code, members, status_connect = script.status()
    assert code == 0 and status_connect == connect
    assert sorted(members) == [1, 2, 3]
    assert [members[sid]["kind"] for sid in (1, 2, 3)] == kinds
    assert connect == ",".join(f"127.0.0.1:{members[sid]['port']}" for sid in (1, 2, 3))
    assert [m["mode"] for m in members.values()].count("leader") == 1
    assert all(m["mode"] in SERVING for m in members.values())
    assert all(script.started_here(m["pid"]) for m in members.values())
    for sid in (1, 2, 3):
        with open(os.path.join(script.state_dir, f"server.{sid}", "data", "myid")) as f:
            assert f.read().strip() == str(sid)

    client = KazooClient(hosts=connect, timeout=8.0,
                         connection_retry={"max_tries": -1, "delay": 0.1, "backoff": 1, "max_delay": 0.5})
    client.start(timeout=20)
    try:
        client.create_async("/script", b"kept").get(timeout=10)

        leader = next(sid for sid, m in members.items() if m["mode"] == "leader")
        code, out, err = script.run("kill", str(leader))
        assert code == 0, out + err
        assert not alive(members[leader]["pid"])
        wait_until(lambda: (lambda s: s[0] != 0 and s[1][leader]["mode"] == "down"
                            and any(m["mode"] == "leader" for sid, m in s[1].items() if sid != leader))(
                                script.status()), timeout=30, message="status to show a new leader, the old down")
        code, out, err = script.run("restart", str(leader))
        assert code == 0, out + err
        assert f"server.{leader} is follower" in out
        code, after, _ = script.status()
        assert code == 0 and after[leader]["pid"] not in (None, members[leader]["pid"])
        client.sync_async("/script").get(timeout=10)
        assert client.get_async("/script").get(timeout=10)[0] == b"kept"
    finally:
        client.stop()
        client.close()

    code, out, err = script.run("stop")
    assert code == 0, out + err
    assert not any(alive(m["pid"]) and script.started_here(m["pid"]) for m in after.values())
    code, stopped, _ = script.status()
    assert code == 1 and all(m["mode"] == "down" and m["pid"] is None for m in stopped.values())

    # Started again in the same state directory: new ports, same ids and data.
    code, out, err = script.start()
    assert code == 0, out + err
    connect = re.search(r"^Connect string: (\S+)$", out, re.MULTILINE).group(1)
    again = KazooClient(hosts=connect, timeout=8.0)
    again.start(timeout=20)
    try:
        assert again.get_async("/script").get(timeout=10)[0] == b"kept"
    finally:
        again.stop()
        again.close()


def test_usage_errors_and_unknown_members(tmp_path):
    env = dict(os.environ, AVIARY_ENSEMBLE_DIR=str(tmp_path / "state"))

    def run(*args):
        return subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)

    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("kill").returncode == 2
    assert run("status", "--zookeeper", "1").returncode == 2
    result = run("status")
    assert result.returncode == 1 and "no ensemble" in result.stderr
    assert run("start", "3", "--zookeeper", "4").returncode == 1
    assert not (tmp_path / "state" / "members").exists()
    result = run("kill", "1")
    assert result.returncode == 1 and "no ensemble" in result.stderr
