"""The realistic write load that docs/PERFORMANCE.md measures compression with (Kafka-style partition states,
Curator-style locks, short-lived broker sessions): after it, and after a kill -9 and a restart that recovers it,
every partition state holds the last JSON written to it, and on Aviary the segments it sealed are compressed."""
import json
import os
import subprocess
import sys
import time

from kazoo.client import KazooClient

import harness

WORKLOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "realistic_workload.py")


def sealed_compressed_segments(server):
    directory = os.path.join(server.workdir, "data", "version-2")
    return [name for name in os.listdir(directory) if name.startswith("log.") and name.endswith(".gz")]


def test_the_realistic_load_survives_a_kill_and_its_sealed_segments_are_compressed():
    server = harness.start(extra_config={"snapCount": "2000"})
    try:
        subprocess.run([sys.executable, WORKLOAD, server.connect_string, "--writes", "6000"], check=True,
                       timeout=180, stdout=subprocess.DEVNULL)
        if server.kind == "aviary":
            # Segments are compressed in the background once a snapshot has made them history.
            deadline = time.monotonic() + 30
            while not sealed_compressed_segments(server) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert sealed_compressed_segments(server), "no sealed segment was compressed"
        server.kill()
        server.restart()
        client = KazooClient(server.connect_string, timeout=10)
        client.start(timeout=10)
        try:
            checked = 0
            for topic in client.get_children("/brokers/topics"):
                for partition in client.get_children(f"/brokers/topics/{topic}/partitions"):
                    data, stat = client.get(f"/brokers/topics/{topic}/partitions/{partition}/state")
                    # The load raises a partition's leader epoch with each write of its state, from 1 at creation.
                    assert json.loads(data)["leader_epoch"] == stat.version + 1, (topic, partition)
                    checked += 1
            assert checked == 40 * 12
        finally:
            client.stop()
            client.close()
    finally:
        server.stop()
