"""Client tools we did not write, driven against the server under test.

* zkCli.sh (ZooKeeper's Java shell): one command per process ("zkCli.sh -server H:P cmd args"; exit code 0
  on success, 1 on a KeeperException), or several commands piped on stdin (exit code of the last command;
  addauth lasts only as long as the process). Results and error messages go to stderr, data and stat to
  stdout, both surrounded by connection noise that is filtered out here.
* cli_mt (ZooKeeper's C shell): reads commands on stdin and runs them asynchronously. Each command is
  followed by "sync /zookeeper", whose completion line serves as a barrier: every reply and watch event
  for the command has been printed before it.

Environment: ZKCLI and CLI_MT override the Debian locations of the two tools.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

import harness
from differential.client import RawSession
from differential.protocol import OP, digest_id, encode_request, error_name

ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")
CLI_MT = os.environ.get("CLI_MT", "/usr/lib/zookeeper/bin/cli_mt")

ALICE = digest_id("alice", "secret")
NOISE = [
    re.compile(r"^Connecting to "),
    re.compile(r"^Welcome to ZooKeeper!$"),
    re.compile(r"^JLine support is (disabled|enabled)$"),
    re.compile(r"^WATCHER::$"),
    re.compile(r"^WatchedEvent state:\w+ type:None path:null$"),
    re.compile(r"^SLF4J: "),
    re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d"),  # log lines, if a logger is configured
    re.compile(r"^\s*$"),
]
STAT_LINE = re.compile(r"^(cZxid|ctime|mZxid|mtime|pZxid|cversion|dataVersion|aclVersion|ephemeralOwner|"
                       r"dataLength|numChildren) = (.*)$")
JAVA_DATE = re.compile(r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}$")


@pytest.fixture(scope="module")
def server():
    s = harness.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def logdir():
    d = tempfile.mkdtemp(prefix="zkcli-log-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _require(tool):
    if not os.access(tool, os.X_OK):
        pytest.skip(f"{tool} is not installed")


def _run_group(argv, stdin_text, timeout, env=None, cwd=None):
    """Run argv in its own process group; on timeout kill that whole group (zkCli.sh forks a JVM)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(stdin_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{argv} timed out after {timeout}s\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


def _clean(text):
    return [line for line in text.splitlines() if not any(p.search(line) for p in NOISE)]


class ZkCliResult:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.raw_out = out
        self.raw_err = err
        self.out = _clean(out)
        self.err = _clean(err)

    def stat(self):
        return {m.group(1): m.group(2) for m in map(STAT_LINE.match, self.out) if m}

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout:\n{self.raw_out}\n--- stderr:\n{self.raw_err}"


def zkcli(server, logdir, *args, script=None):
    """One zkCli.sh process: a single command given as arguments, or several lines on stdin."""
    env = dict(os.environ)
    env["ZOO_LOG_DIR"] = logdir
    # Debian's zkEnv.sh sets ZOO_LOG_DIR itself; a later -D on the JVM command line wins.
    env["CLIENT_JVMFLAGS"] = f"-Dzookeeper.log.dir={logdir} -Dzookeeper.log.file=zkcli.log"
    stdin_text = "".join(line + "\n" for line in script) if script is not None else ""
    argv = [ZKCLI, "-server", server.connect_string, *args]
    return ZkCliResult(*_run_group(argv, stdin_text, timeout=60, env=env, cwd=logdir))


def _check_stat(stat, **expected):
    assert set(stat) == {"cZxid", "ctime", "mZxid", "mtime", "pZxid", "cversion", "dataVersion", "aclVersion",
                         "ephemeralOwner", "dataLength", "numChildren"}, stat
    for key in ("cZxid", "mZxid", "pZxid", "ephemeralOwner"):
        assert re.fullmatch(r"0x[0-9a-f]+", stat[key]), (key, stat)
    for key in ("ctime", "mtime"):
        assert JAVA_DATE.match(stat[key]), (key, stat)
    for key, value in expected.items():
        assert stat[key] == str(value), (key, stat)


def _raw_session(server):
    s = RawSession(server.host, server.port)
    s.connect()
    return s


def _close_raw(session):
    try:
        session.request(OP["closeSession"], b"")
    finally:
        session.close_socket()


def _raw(session, op):
    opcode, body = encode_request(op)
    reply = session.auth(body) if op["kind"] == "auth" else session.request(opcode, body)
    return error_name(reply["err"])


# ====================================================================== zkCli.sh

def test_zkcli_single_commands(server, logdir):
    _require(ZKCLI)
    r = zkcli(server, logdir, "create", "/zkc", "hello")
    assert r.rc == 0 and r.err == ["Created /zkc"], r
    r = zkcli(server, logdir, "create", "/zkc", "again")
    assert r.rc == 1 and r.err == ["Node already exists: /zkc"], r
    r = zkcli(server, logdir, "create", "-s", "/zkc/seq-", "s")
    assert r.rc == 0 and r.err == ["Created /zkc/seq-0000000000"], r
    r = zkcli(server, logdir, "get", "/zkc")
    assert r.rc == 0 and r.out == ["hello"] and r.err == [], r
    r = zkcli(server, logdir, "set", "-v", "0", "/zkc", "world")
    assert r.rc == 0 and r.out == [] and r.err == [], r
    r = zkcli(server, logdir, "set", "-v", "0", "/zkc", "stale")
    assert r.rc == 1 and r.err == ["version No is not valid : /zkc"], r
    r = zkcli(server, logdir, "get", "-s", "/zkc")
    assert r.rc == 0 and r.out[0] == "world", r
    stat = r.stat()
    _check_stat(stat, dataVersion=1, cversion=1, aclVersion=0, ephemeralOwner="0x0", dataLength=5, numChildren=1)
    assert int(stat["mZxid"], 16) > int(stat["cZxid"], 16), stat
    assert int(stat["pZxid"], 16) > int(stat["cZxid"], 16), stat
    assert stat["pZxid"] != stat["mZxid"], stat  # the child was created before the set
    r = zkcli(server, logdir, "stat", "/zkc")
    assert r.rc == 0 and r.stat() == stat and len(r.out) == 11, r
    r = zkcli(server, logdir, "ls", "/zkc")
    assert r.rc == 0 and r.out == ["[seq-0000000000]"], r
    r = zkcli(server, logdir, "delete", "/zkc")
    assert r.rc == 1 and r.err == ["Node not empty: /zkc"], r
    r = zkcli(server, logdir, "get", "/zkc/nope")
    assert r.rc == 1 and r.err == ["Node does not exist: /zkc/nope"], r
    r = zkcli(server, logdir, "create", "/zkc/missing/child")
    assert r.rc == 1 and r.err == ["Node does not exist: /zkc/missing/child"], r
    r = zkcli(server, logdir, "getAcl", "/zkc")
    assert r.rc == 0 and r.out == ["'world,'anyone", ": cdrwa"], r
    r = zkcli(server, logdir, "deleteall", "/zkc")
    assert r.rc == 0 and r.err == [], r
    r = zkcli(server, logdir, "stat", "/zkc")
    assert r.rc == 1 and r.err == ["Node does not exist: /zkc"], r


def test_zkcli_script_ephemerals_and_world_acl(server, logdir):
    _require(ZKCLI)
    r = zkcli(server, logdir, script=[
        "create /zke data",
        "create -e /zke/eph e",
        "create -e -s /zke/es- x",
        "stat /zke/eph",
        "getEphemerals /zke",
        "ls /zke",
        "getAllChildrenNumber /zke",
        "setAcl /zke world:anyone:rc",
        "getAcl /zke",
        "set /zke nope",
        "sync /zke",
        "quit",
    ])
    assert r.err == ["Created /zke", "Created /zke/eph", "Created /zke/es-0000000001",
                     "Insufficient permission : /zke"], r
    assert r.rc == 0, r  # the exit code is the last command's: sync succeeded
    stat = r.stat()
    _check_stat(stat, dataVersion=0, cversion=0, numChildren=0, dataLength=1)
    assert stat["ephemeralOwner"] != "0x0", stat
    after_stat = r.out[11:]
    assert sorted(after_stat[0].strip("[]").split(", ")) == ["/zke/eph", "/zke/es-0000000001"], r
    assert after_stat[1:] == ["[eph, es-0000000001]", "2", "'world,'anyone", ": cr", "Sync is OK"], r
    # Quitting closed the session: its ephemeral nodes are gone.
    r = zkcli(server, logdir, "ls", "/zke")
    assert r.rc == 0 and r.out == ["[]"], r


def test_zkcli_script_digest_auth(server, logdir):
    _require(ZKCLI)
    r = zkcli(server, logdir, script=[
        "addauth digest alice:secret",
        "create /zkd secret",
        "setAcl /zkd auth::cdrwa",
        "getAcl /zkd",
        "get /zkd",
        "whoami",
        "quit",
    ])
    assert r.rc == 0 and r.err == ["Created /zkd"], r
    assert r.out == [f"'digest,'{ALICE}", ": cdrwa", "secret", "Auth scheme: User", "digest: alice",
                     "ip: 127.0.0.1"], r
    # addauth lasted only as long as that process.
    r = zkcli(server, logdir, "get", "/zkd")
    assert r.rc == 1 and r.err == ["Insufficient permission : /zkd"], r
    r = zkcli(server, logdir, script=[
        "addauth digest alice:wrong",
        "get /zkd",
        "addauth digest alice:secret",
        "get /zkd",
        "setAcl /zkd world:anyone:r,digest:" + ALICE + ":cdrwa",
        "quit",
    ])
    assert r.err == ["Insufficient permission : /zkd"] and r.out == ["secret"] and r.rc == 0, r
    # Without ADMIN, getAcl still answers (READ suffices) but masks the digest.
    r = zkcli(server, logdir, "getAcl", "/zkd")
    assert r.rc == 0 and r.out == ["'world,'anyone", ": r", "'digest,'alice:x", ": cdrwa"], r


# ====================================================================== cli_mt

BARRIER = "[/zookeeper]: rc = 0\n\tname = /zookeeper\n"


class CliMt:
    """cli_mt with commands on stdin, paced by a sync barrier after each command."""

    def __init__(self, hostport, timeout=15.0):
        self.timeout = timeout
        self.proc = subprocess.Popen([CLI_MT, "-h", hostport], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self._err = []
        self._out = []
        self._cond = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stderr, self._err), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stdout, self._out), daemon=True)]
        for t in self._threads:
            t.start()
        self.session_line = self.wait_for(re.compile(r"Got a new session id: (0x[0-9a-f]+)\n"), 0)

    def _pump(self, stream, sink):
        while True:
            chunk = os.read(stream.fileno(), 65536)
            with self._cond:
                if not chunk:
                    sink.append(None)
                    self._cond.notify_all()
                    return
                sink.append(chunk)
                self._cond.notify_all()

    def text(self):
        return b"".join(c for c in self._err if c).decode("utf-8", "replace")

    def stdout(self):
        return b"".join(c for c in self._out if c).decode("utf-8", "replace")

    def wait_for(self, pattern, start):
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while True:
                text = self.text()
                m = pattern.search(text, start) if hasattr(pattern, "search") else None
                if m:
                    return m
                if None in self._err:
                    raise AssertionError(f"cli_mt ended while waiting for {pattern.pattern!r}:\n{text}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"cli_mt: no {pattern.pattern!r} within {self.timeout}s:\n{text}")
                self._cond.wait(left)

    def run(self, command):
        """Send one command; return everything it printed (up to the barrier)."""
        with self._cond:
            start = len(self.text())
        self.proc.stdin.write(f"{command}\nsync /zookeeper\n".encode())
        self.proc.stdin.flush()
        m = self.wait_for(re.compile(re.escape(BARRIER)), start)
        return self.text()[start:m.start()]

    def quit(self):
        self.proc.stdin.write(b"quit\n")
        self.proc.stdin.close()
        try:
            rc = self.proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"cli_mt did not exit after quit:\n{self.text()}")
        for t in self._threads:
            t.join(timeout=5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def cli_mt(server):
    _require(CLI_MT)
    clients = []

    def start():
        c = CliMt(server.connect_string)
        clients.append(c)
        return c

    yield start
    for c in clients:
        c.kill()


def _dump(text):
    """Lines of a dumpStat block: {"ctime": ..., "czxid": ..., "version": ..., ...}."""
    fields = {}
    for m in re.finditer(r"(ctime|mtime) ?= ?(.+?)\n|(czxid|mzxid|ephemeralOwner) ?= ?([0-9a-f]+)|"
                         r"(version|aversion)=([0-9a-f]+)", text):
        if m.group(1):
            fields[m.group(1)] = m.group(2)
        elif m.group(3):
            fields[m.group(3)] = m.group(4)
        else:
            fields[m.group(5)] = m.group(6)
    return fields


def _cli_mt_batch(server, command):
    rc, out, err = _run_group([CLI_MT, "-h", server.connect_string, "-c", command], "", timeout=20)
    return rc, err


def test_cli_mt_interactive(server, cli_mt):
    c = cli_mt()
    session = c.session_line.group(1)
    assert int(session, 16) != 0

    out = c.run("create /cmt")
    assert out.startswith("Creating [/cmt] node (mode: 0)\n"), out
    assert "[/cmt]: rc = 0\n\tname = /cmt\n" in out, out
    out = c.run("create /cmt")
    assert "[/cmt]: rc = -110\n" in out and "name =" not in out, out
    out = c.run("create +s /cmt/s-")
    assert "(mode: 2)" in out and "[/cmt/s-]: rc = 0\n\tname = /cmt/s-0000000000\n" in out, out
    out = c.run("create +e /cmt/e")
    assert "(mode: 1)" in out and "[/cmt/e]: rc = 0\n\tname = /cmt/e\n" in out, out
    out = c.run("create2 /cmt/c2")
    assert "[/cmt/c2]: rc = 0\n\tname = /cmt/c2\n" in out, out
    stat = _dump(out)
    assert stat["version"] == "0" and stat["aversion"] == "0" and stat["ephemeralOwner"] == "0", out
    assert stat["czxid"] == stat["mzxid"], out
    out = c.run("create /cmt/missing/child")
    assert "[/cmt/missing/child]: rc = -101\n" in out, out
    out = c.run("create /cmt/e/child")
    assert "[/cmt/e/child]: rc = -108\n" in out, out

    # get sets a data watch; the change made by the same client fires it before the set completes.
    out = c.run("get /cmt")
    assert "/cmt: rc = 0\n value_len = 3\nnew\nStat:\n" in out, out
    assert _dump(out)["version"] == "0", out
    out = c.run("set /cmt hello")
    event = "Watcher CHANGED_EVENT state = CONNECTED_STATE for path /cmt\n"
    assert event in out and "/cmt: rc = 0 Stat:\n" in out, out
    assert out.index(event) < out.index("/cmt: rc = 0 Stat:"), out
    assert _dump(out)["version"] == "1", out
    out = c.run("get /cmt")
    assert "/cmt: rc = 0\n value_len = 5\nhello\nStat:\n" in out and _dump(out)["version"] == "1", out
    out = c.run("get /cmt/none")
    assert "/cmt/none: rc = -101\n\nStat:\nnull\n" in out, out
    out = c.run("set /cmt/none x")
    assert "/cmt/none: rc = -101 Stat:\nnull\n" in out, out

    # ls sets a child watch.
    out = c.run("ls /cmt")
    m = re.search(r"/cmt: rc = 0\n((?:\t.*\n)*)", out)
    assert m and sorted(m.group(1).split()) == ["c2", "e", "s-0000000000"], out
    out = c.run("ls2 /cmt")
    m = re.search(r"/cmt: rc = 0\n((?:\t[^\n=]*\n)*)", out)
    assert m and sorted(m.group(1).split()) == ["c2", "e", "s-0000000000"], out
    assert _dump(out)["version"] == "1", out

    # exists: silent when the node exists; on a missing node it reports -101 and leaves a watch.
    assert c.run("exists /cmt") == ""
    assert c.run("exists /cmt/later") == "Error -101 for /cmt/later\n"
    out = c.run("create /cmt/later")
    created = "Watcher CREATED_EVENT state = CONNECTED_STATE for path /cmt/later\n"
    child = "Watcher CHILD_EVENT state = CONNECTED_STATE for path /cmt\n"
    assert created in out and child in out and "[/cmt/later]: rc = 0\n" in out, out
    assert out.index(created) < out.index(child) < out.index("[/cmt/later]: rc = 0"), out

    out = c.run("delete /cmt")
    assert "/cmt: rc = -111\n" in out, out
    out = c.run("delete /cmt/c2")
    assert "/cmt/c2: rc = 0\n" in out, out
    out = c.run("delete /cmt/c2")
    assert "/cmt/c2: rc = -101\n" in out, out
    out = c.run("sync /cmt")
    assert "[/cmt]: rc = 0\n\tname = /cmt\n" in out, out
    assert c.run("myid") == ""

    assert c.quit() == 0
    assert c.text().rstrip().endswith("Quitting...")
    assert c.stdout().strip() == f"session Id = {session[2:]}"

    # The session ended with quit, so its ephemeral node is gone.
    rc, err = _cli_mt_batch(server, "ls /cmt")
    m = re.search(r"/cmt: rc = 0\n((?:\t.*\n)*)", err)
    assert rc == 0 and m and sorted(m.group(1).split()) == ["later", "s-0000000000"], err


def test_cli_mt_batch_mode(server):
    _require(CLI_MT)
    rc, err = _cli_mt_batch(server, "create /cmtb")
    assert rc == 0 and "[/cmtb]: rc = 0\n\tname = /cmtb\n" in err, err
    rc, err = _cli_mt_batch(server, "get /cmtb")
    assert rc == 0 and "/cmtb: rc = 0\n value_len = 3\nnew\nStat:\n" in err, err
    rc, err = _cli_mt_batch(server, "delete /cmtb")
    assert rc == 0 and "/cmtb: rc = 0\n" in err, err
    rc, err = _cli_mt_batch(server, "get /cmtb")
    assert rc == 0 and "/cmtb: rc = -101\n" in err, err


def test_cli_mt_digest_auth(server, cli_mt):
    raw = _raw_session(server)
    try:
        assert _raw(raw, {"kind": "create", "opcode": OP["create"], "path": "/cmta", "data": b"guarded",
                          "acl": [(31, "digest", ALICE)], "flags": 0}) == "OK"
    finally:
        _close_raw(raw)
    c = cli_mt()
    out = c.run("get /cmta")
    assert "/cmta: rc = -102\n" in out, out
    c.run("addauth digest alice:wrong")
    out = c.run("get /cmta")
    assert "/cmta: rc = -102\n" in out, out
    c.run("addauth digest alice:secret")
    out = c.run("get /cmta")
    assert "/cmta: rc = 0\n value_len = 7\nguarded\nStat:\n" in out, out
    out = c.run("set /cmta changed")
    assert "/cmta: rc = 0 Stat:\n" in out and _dump(out)["version"] == "1", out
    assert c.quit() == 0
