"""Start-up of the real aviary-server binary on a user's zoo.cfg: a bad line stops it with the file, line and
reason; keys that only mean something to the Java server are accepted with a warning."""
import os
import subprocess
import tempfile

import pytest

import harness

pytestmark = pytest.mark.skipif(os.environ.get("INTEROP_TARGET", "aviary") != "aviary", reason="Aviary's binary")


def run_with_config(lines, timeout=10):
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "zoo.cfg")
        with open(path, "w") as f:
            f.write("\n".join(line.replace("<workdir>", workdir) for line in lines) + "\n")
        return subprocess.run([os.environ["AVIARY_SERVER_BIN"], "serve", path], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL), path


@pytest.mark.parametrize("bad_line, key, reason", [
    ("tickTime=abc", "tickTime", "integer"),
    ("maxClientCnxns=-1", "maxClientCnxns", ""),
    ("server.1=localhost", "server.1", ""),
])
def test_bad_line_stops_startup_naming_file_line_and_reason(bad_line, key, reason):
    result, path = run_with_config(["dataDir=<workdir>/data", "clientPort=1", bad_line])
    assert result.returncode != 0
    assert f"{path}:3: {key}" in result.stderr
    assert reason in result.stderr


def test_missing_config_file_is_reported():
    result = subprocess.run([os.environ["AVIARY_SERVER_BIN"], "serve", "/nonexistent/zoo.cfg"], capture_output=True,
                            text=True, timeout=10)
    assert result.returncode != 0
    assert "/nonexistent/zoo.cfg" in result.stderr


def test_java_only_keys_start_with_warnings():
    server = harness.start(extra_config={
        "serverCnxnFactory": "org.apache.zookeeper.server.NettyServerCnxnFactory",
        "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "jvm.pause.warn-threshold.ms": "10000",
    })
    try:
        assert harness.four_letter_word(server.port, "ruok") == "imok"
        log = server.log()
        for key in ("serverCnxnFactory", "authProvider.1", "metricsProvider.className"):
            assert key in log
    finally:
        server.stop()


def test_port_in_use_is_a_clear_error():
    server = harness.start()
    try:
        result, _ = run_with_config(["dataDir=<workdir>/data", f"clientPort={server.port}",
                                     "clientPortAddress=127.0.0.1"])
        assert result.returncode != 0
        assert str(server.port) in result.stderr
    finally:
        server.stop()
