"""A write load shaped like the clients people run on ZooKeeper, for measuring what it costs on disk (the
compression of sealed log segments): Kafka-style broker registrations and partition-state updates in JSON,
Curator-style lock nodes (ephemeral sequential, created and deleted), and sessions that come and go.

    python3 Tests/interop/realistic_workload.py 127.0.0.1:2181 --writes 200000

Every value is drawn from a seeded generator, so two runs write the same bytes (apart from timestamps and
session ids, which are what a real log holds too).
"""
import argparse
import json
import random
import time
import uuid

from kazoo.client import KazooClient

BROKERS = 12
TOPICS = 40
PARTITIONS = 12
REPLICAS = 3


def partition_state(rng, epochs, topic, partition):
    replicas = rng.sample(range(1, BROKERS + 1), REPLICAS)
    epochs[(topic, partition)] += 1
    return json.dumps({
        "controller_epoch": 17, "leader": replicas[0], "version": 1,
        "leader_epoch": epochs[(topic, partition)], "isr": sorted(rng.sample(replicas, rng.randint(1, REPLICAS))),
    }).encode()


def broker_registration(rng, broker):
    host = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return json.dumps({
        "listener_security_protocol_map": {"PLAINTEXT": "PLAINTEXT", "SSL": "SSL"},
        "endpoints": [f"PLAINTEXT://{host}:9092", f"SSL://{host}:9093"], "jmx_port": 9999,
        "features": {}, "host": host, "timestamp": str(int(time.time() * 1000)), "port": 9092, "version": 5,
        "rack": f"rack-{broker % 3}",
    }).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--writes", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    admin = KazooClient(args.server, timeout=30)
    admin.start(timeout=30)
    epochs = {}
    for topic in range(TOPICS):
        name = f"topic-{topic:03d}"
        assignment = {str(p): rng.sample(range(1, BROKERS + 1), REPLICAS) for p in range(PARTITIONS)}
        admin.create(f"/brokers/topics/{name}", json.dumps({"version": 2, "partitions": assignment}).encode(),
                     makepath=True)
        admin.create(f"/config/topics/{name}", json.dumps(
            {"version": 1, "config": {"retention.ms": str(rng.choice([3600000, 86400000, 604800000])),
                                      "cleanup.policy": rng.choice(["delete", "compact"])}}).encode(),
                     makepath=True)
        for partition in range(PARTITIONS):
            epochs[(name, partition)] = 0
            admin.create(f"/brokers/topics/{name}/partitions/{partition}/state",
                         partition_state(rng, epochs, name, partition), makepath=True)
    admin.ensure_path("/brokers/ids")
    admin.ensure_path("/locks")
    writes = 0
    while writes < args.writes:
        # A broker (re)joins: a session of its own and its ephemeral registration, which goes when it leaves.
        if rng.random() < 0.01:
            broker = rng.randint(1, BROKERS)
            member = KazooClient(args.server, timeout=10)
            member.start(timeout=30)
            if member.exists(f"/brokers/ids/{broker}") is None:
                member.create(f"/brokers/ids/{broker}", broker_registration(rng, broker), ephemeral=True)
            member.stop()
            member.close()
            writes += 3
        # A lock taken and released the way Curator's InterProcessMutex does it.
        elif rng.random() < 0.25:
            lock = f"/locks/job-{rng.randint(0, 30)}"
            path = admin.create(f"{lock}/_c_{uuid.UUID(int=rng.getrandbits(128))}-lock-", b"10.0.0.1",
                                ephemeral=True, sequence=True, makepath=True)
            admin.delete(path)
            writes += 2
        # Most writes: the controller moves partition leadership and shrinks or grows the in-sync replicas.
        else:
            batch = []
            for _ in range(64):
                topic, partition = f"topic-{rng.randrange(TOPICS):03d}", rng.randrange(PARTITIONS)
                batch.append(admin.set_async(f"/brokers/topics/{topic}/partitions/{partition}/state",
                                             partition_state(rng, epochs, topic, partition)))
            for result in batch:
                result.get(timeout=30)
            writes += len(batch)
    admin.stop()
    admin.close()
    print(json.dumps({"writes": writes}))


if __name__ == "__main__":
    main()
