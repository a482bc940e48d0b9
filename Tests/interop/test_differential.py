"""Differential test: the same seeded operations on the server under test and on a reference ZooKeeper.

Each step runs one operation on both servers, drains the watch events of every session on both,
normalises zxids, times and session ids, and compares the two results field by field: reply header
(xid, zxid, error code), decoded body (stats, data, children, ACLs, multi results), any undecoded trailing
bytes, and every session's notifications in arrival order (with the position of the acting session's reply).

Sessions speak the wire protocol directly (differential/client.py) rather than through kazoo, which
validates paths itself and hides reply-header zxids, reply bodies sent with errors, and where a
notification fell relative to a reply.

Operations: create/create2/createContainer in every mode (ephemeral, sequential, container; TTL is refused
by a default ZooKeeper), delete, exists, getData, setData (right and wrong versions), getChildren(2),
getACL/setACL (world, digest, auth, invalid ACLs), digest auth (and an unknown scheme, which ends the
connection), multi (with deliberate failures) and multiRead, sync, one-shot and persistent(-recursive)
watches, checkWatches/removeWatches, getEphemerals, getAllChildrenNumber, whoAmI, session close and
reopen, and invalid paths.

Environment:
  INTEROP_TARGET   server under test (harness default, "aviary")
  DIFF_REFERENCE   reference server kind (default "zookeeper")
  DIFF_SEEDS       comma-separated seeds (default "1,2,3,4")
  DIFF_STEPS       operations per seed (default 1000)
  DIFF_SESSIONS    concurrent sessions per server (default 4)
"""
import os
import time

import pytest

import harness
from differential.comparer import differences, report
from differential.generator import Generator
from differential.normaliser import Normaliser
from differential.runner import World

SEEDS = [int(s) for s in os.environ.get("DIFF_SEEDS", "1,2,3,4").split(",") if s.strip()]
STEPS = int(os.environ.get("DIFF_STEPS", "1000"))
SESSIONS = int(os.environ.get("DIFF_SESSIONS", "4"))
HISTORY = 8


@pytest.fixture(scope="module")
def servers():
    target = harness.start()
    try:
        reference = harness.start(os.environ.get("DIFF_REFERENCE", "zookeeper"))
    except Exception:
        target.stop()
        raise
    try:
        yield target, reference
    finally:
        target.stop()
        reference.stop()


class Side:
    def __init__(self, name, server):
        self.name = name
        self.world = World(server.host, server.port, slots=SESSIONS)
        self.norm = Normaliser()


def _check(seed, step, op, sides, history):
    (a, ra), (b, rb) = sides
    diffs = list(differences(ra, rb))
    if diffs:
        pytest.fail(report(seed, step, op, a.name, ra, b.name, rb, diffs, history), pytrace=False)


def _run_both(seed, step, a, b, op, history):
    results = []
    for side in (a, b):
        try:
            resolved, raw = side.world.execute(op)
        except Exception as e:  # a hang (socket timeout) or a protocol violation
            context = "\n".join(f"  {s}: {o!r}" for s, o in history)
            pytest.fail(f"seed={seed} step={step}: {side.name} failed on {op!r}: {type(e).__name__}: {e}\n"
                        f"preceding operations:\n{context}", pytrace=False)
        results.append((resolved, (side, side.norm.normalise(resolved, raw))))
    return results[1][0], results[0][1], results[1][1]


@pytest.mark.parametrize("seed", SEEDS)
def test_differential(servers, seed):
    target, reference = servers
    a = Side(f"target({target.kind})", target)
    b = Side(f"reference({reference.kind})", reference)
    gen = Generator(seed, root=f"/diff{seed}", sessions=SESSIONS)
    history = []
    started = time.monotonic()
    try:
        connects = []
        for side in (a, b):
            replies = side.world.open_all()
            for reply in replies:
                side.norm.register_session(reply["sessionId"])
            connects.append((side, side.norm.normalise({}, {"connects": replies})))
        _check(seed, "connect", {"kind": "connect"}, connects, history)

        steps = [("setup", op) for op in gen.setup()] + [(i, gen.next_op()) for i in range(1, STEPS + 1)]
        for step, op in steps:
            resolved, ra, rb = _run_both(seed, step, a, b, op, history)
            _check(seed, step, resolved, (ra, rb), history)
            history = (history + [(step, resolved)])[-HISTORY:]

        closes = [(side, side.norm.normalise({"kind": "reconnect"}, {"close": side.world.close_all()}))
                  for side in (a, b)]
        _check(seed, "close", {"kind": "closeAll"}, closes, history)
    finally:
        a.world.shutdown()
        b.world.shutdown()
    print(f"seed {seed}: {len(steps)} operations in {time.monotonic() - started:.1f}s")
