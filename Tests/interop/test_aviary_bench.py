"""aviary-bench (the load generator) run briefly against the server under test: its one JSON line parses and
its numbers are sane. Environment: AVIARY_BIN_DIR holds aviary-bench."""
import json
import os
import subprocess

import pytest
from kazoo.client import KazooClient
from kazoo.security import make_acl

import harness


def bench_binary():
    path, missing = harness.aviary_tool("aviary-bench")
    if missing:
        pytest.skip(missing)
    return path


@pytest.fixture(scope="module")
def server():
    s = harness.start()
    try:
        yield s
    finally:
        s.stop()


def run_bench(*args, timeout=120):
    proc = subprocess.run([bench_binary(), *args], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def check_latency(latency):
    assert set(latency) >= {"p50", "p90", "p99", "p999", "max", "mean"}
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p999"] <= latency["max"]
    assert latency["max"] < 30_000_000  # 30 s: nothing here takes that long


def test_mixed_workload_reports_one_sane_json_line(server):
    rc, out, err = run_bench("--server", server.connect_string, "--duration", "2", "--warmup", "0.5",
                             "--sessions", "2", "--in-flight", "4", "--keys", "50", "--payload-bytes", "100",
                             "--mix", "get=60,set=20,create=10,delete=5,exists=3,multi=1,watch-heavy=1",
                             "--root", "/bench-mixed")
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 1, out
    result = json.loads(lines[0])
    assert result["server"] == server.connect_string
    assert result["ops"] > 0 and result["ops_per_sec"] > 0
    assert 1.9 <= result["duration_s"] < 10
    assert abs(result["ops_per_sec"] - result["ops"] / result["duration_s"]) < 0.01 * result["ops_per_sec"] + 1
    check_latency(result["latency_us"])
    assert result["errors"]["total"] == 0, result["errors"]
    assert set(result["per_op"]) <= {"get", "set", "create", "delete", "exists", "multi", "watch-heavy"}
    assert {"get", "set"} <= set(result["per_op"])
    assert sum(op["ops"] for op in result["per_op"].values()) == result["ops"]
    config = result["config"]
    assert (config["sessions"], config["in_flight"], config["keys"], config["payload_bytes"]) == (2, 4, 50, 100)
    assert config["mix"]["get"] == 60


def test_errors_are_counted_by_code_not_as_throughput(server):
    common = ("--server", server.connect_string, "--warmup", "0", "--sessions", "1", "--in-flight", "2",
              "--keys", "2", "--root", "/bench-errors")
    rc, out, err = run_bench(*common, "--ops", "10", "--mix", "get=1")
    assert rc == 0, err
    assert json.loads(out)["ops"] == 10
    # Make one of the two keys read-only: every set on it now fails with NoAuth.
    client = KazooClient(hosts=server.connect_string, timeout=10)
    client.start(timeout=15)
    try:
        client.set_acls("/bench-errors/keys/k0", [make_acl("world", "anyone", read=True)])
    finally:
        client.stop()
        client.close()
    rc, out, err = run_bench(*common, "--duration", "1", "--mix", "set=1")
    assert rc == 0, err
    result = json.loads(out)
    assert result["errors"]["by_code"].get("noAuth", 0) > 0
    assert result["errors"]["total"] == sum(result["errors"]["by_code"].values())
    assert result["ops"] == result["per_op"]["set"]["ops"] > 0


def test_compare_runs_both_servers_and_reports_ratios(server):
    other = harness.start()
    try:
        rc, out, err = run_bench("--compare", server.connect_string, other.connect_string, "--rounds", "1",
                                 "--duration", "1", "--warmup", "0", "--sessions", "2", "--in-flight", "2",
                                 "--keys", "10", "--mix", "get=90,set=10", "--root", "/bench-compare")
    finally:
        other.stop()
    assert rc == 0, err
    result = json.loads(out)
    assert result["a"]["server"] == server.connect_string and result["b"]["server"] == other.connect_string
    ratio = result["ratio_b_over_a"]["ops_per_sec"]
    assert ratio == pytest.approx(result["b"]["ops_per_sec"] / result["a"]["ops_per_sec"], rel=0.01)
    assert len(result["rounds"]) == 1


def test_bad_options_fail_cleanly(server):
    rc, out, err = run_bench("--server", server.connect_string, "--mix", "frobnicate=1")
    assert rc != 0 and out == "" and "unknown operation" in err
    rc, out, err = run_bench("--server", f"127.0.0.1:{harness.free_port()}", "--duration", "1",
                             "--session-timeout", "2000", timeout=60)
    assert rc != 0 and out == "" and "cannot connect" in err
