"""aviary-cli (Aviary's zkCli.sh-compatible shell) against the server under test.

Every command is run non-interactively (one command per process, or a script on stdin) with its output and
exit status checked; the interactive shell is driven through tmux: completion of a command and of a path,
history recalled in a second run, and a watch event printed while a partly typed line stays intact.

Environment: AVIARY_BIN_DIR holds aviary-cli (and aviary-server for INTEROP_TARGET=aviary).
"""
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import harness

SERVER_CONFIG = {"extendedTypesEnabled": "true"}
_counter = itertools.count()

STATUS_NO_NODE = 101
STATUS_NODE_EXISTS = 110
STATUS_NOT_EMPTY = 111
STATUS_BAD_VERSION = 103
STATUS_NO_AUTH = 102
STATUS_NO_WATCHER = 121
STATUS_CONNECTION_LOSS = 4
STATUS_USAGE = 64


def cli_binary():
    path, missing = harness.aviary_tool("aviary-cli")
    if missing:
        pytest.skip(missing)
    return path


@pytest.fixture(scope="module")
def server():
    s = harness.start(extra_config=SERVER_CONFIG)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def base(request, server):
    """A fresh, existing znode for this test."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:50]
    path = f"/cli-{name}-{next(_counter)}"
    rc, _, err = run_cli(server, "create", path)
    assert rc == 0, err
    return path


def run_cli(server, *args, stdin=None, timeout=30, extra=(), server_string=None):
    argv = [cli_binary(), "-server", server_string or server.connect_string, "-timeout", "10000", *extra, *args]
    proc = subprocess.run(argv, input=stdin if stdin is not None else "", capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def stat_fields(text):
    return dict(line.split(" = ", 1) for line in text.splitlines() if " = " in line)


# ---- one command per process --------------------------------------------------------------------------------


def test_create_get_set_stat_delete(server, base):
    path = f"{base}/node"
    assert run_cli(server, "create", path, "hello") == (0, f"Created {path}\n", "")
    assert run_cli(server, "get", path) == (0, "hello\n", "")
    rc, out, _ = run_cli(server, "get", "-s", path)
    assert rc == 0 and out.startswith("hello\n")
    fields = stat_fields(out)
    assert list(fields) == ["cZxid", "ctime", "mZxid", "mtime", "pZxid", "cversion", "dataVersion", "aclVersion",
                            "ephemeralOwner", "dataLength", "numChildren"]
    assert fields["dataLength"] == "5" and fields["ephemeralOwner"] == "0x0"
    assert re.fullmatch(r"0x[0-9a-f]+", fields["cZxid"])
    assert re.fullmatch(r"\w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ \d{4}", fields["ctime"])
    assert run_cli(server, "set", path, "two words") == (0, "", "")
    rc, out, _ = run_cli(server, "set", "-s", path, "v3")
    assert rc == 0 and stat_fields(out)["dataVersion"] == "2"
    rc, out, _ = run_cli(server, "stat", path)
    assert rc == 0 and stat_fields(out)["dataLength"] == "2"
    assert run_cli(server, "delete", "-v", "2", path) == (0, "", "")
    assert run_cli(server, "stat", path) == (STATUS_NO_NODE, "", f"Node does not exist: {path}\n")


def test_error_messages_and_statuses(server, base):
    assert run_cli(server, "get", f"{base}/missing") == (STATUS_NO_NODE, "", f"Node does not exist: {base}/missing\n")
    assert run_cli(server, "create", base) == (STATUS_NODE_EXISTS, "", f"Node already exists: {base}\n")
    assert run_cli(server, "create", f"{base}/child")[0] == 0
    assert run_cli(server, "delete", base) == (STATUS_NOT_EMPTY, "", f"Node not empty: {base}\n")
    assert run_cli(server, "set", "-v", "9", base, "x") == (STATUS_BAD_VERSION, "", f"version No is not valid : {base}\n")
    assert run_cli(server, "create", f"{base}/a/b") == (STATUS_NO_NODE, "", f"Node does not exist: {base}/a/b\n")
    rc, out, err = run_cli(server, "frobnicate")
    assert rc == STATUS_USAGE and out == "" and err.rstrip().endswith("Command not found: frobnicate")
    assert run_cli(server, "get", "-z", base) == (STATUS_USAGE, "", "Unrecognized option: -z\n")
    assert run_cli(server, "ls") == (STATUS_USAGE, "", "ls [-s] [-w] [-R] path\n")


def test_unreachable_server_is_connection_loss(server):
    port = harness.free_port()
    start = time.monotonic()
    rc, out, err = run_cli(server, "ls", "/", server_string=f"127.0.0.1:{port}", extra=("-timeout", "2000"))
    assert rc == STATUS_CONNECTION_LOSS and out == ""
    assert "Unable to connect" in err and "ConnectionLoss" in err
    assert time.monotonic() - start < 15


def test_ls_variants(server, base):
    for name in ["b", "a", "c"]:
        assert run_cli(server, "create", f"{base}/{name}")[0] == 0
    assert run_cli(server, "create", f"{base}/a/x")[0] == 0
    assert run_cli(server, "ls", base) == (0, "[a, b, c]\n", "")
    rc, out, _ = run_cli(server, "ls", "-s", base)
    assert rc == 0 and out.startswith("[a, b, c]\n") and stat_fields(out)["numChildren"] == "3"
    # zkCli's order: the node, all its children, then each child's subtree.
    expected = [base, f"{base}/a", f"{base}/b", f"{base}/c", f"{base}/a/x"]
    assert run_cli(server, "ls", "-R", base) == (0, "\n".join(expected) + "\n", "")
    assert run_cli(server, "ls", "-w", base) == (0, "[a, b, c]\n", "")
    assert run_cli(server, "getAllChildrenNumber", base) == (0, "4\n", "")
    assert run_cli(server, "ls", f"{base}/none") == (STATUS_NO_NODE, "", f"Node does not exist: {base}/none\n")


def test_create_modes(server, base):
    rc, out, _ = run_cli(server, "create", "-s", f"{base}/seq-", "d")
    assert rc == 0 and re.fullmatch(rf"Created {base}/seq-\d{{10}}\n", out)
    assert run_cli(server, "create", "-c", f"{base}/container") == (0, f"Created {base}/container\n", "")
    assert run_cli(server, "stat", f"{base}/container")[0] == 0
    assert run_cli(server, "create", "-t", "60000", f"{base}/ttl") == (0, f"Created {base}/ttl\n", "")
    assert run_cli(server, "stat", f"{base}/ttl")[0] == 0
    # An ephemeral node ends with the process's session.
    assert run_cli(server, "create", "-e", f"{base}/eph") == (0, f"Created {base}/eph\n", "")
    assert run_cli(server, "stat", f"{base}/eph")[0] == STATUS_NO_NODE
    assert run_cli(server, "create", "-c", "-e", f"{base}/bad")[0] == STATUS_USAGE


def test_acl_commands(server, base):
    assert run_cli(server, "getAcl", base) == (0, "'world,'anyone\n: cdrwa\n", "")
    assert run_cli(server, "setAcl", base, "world:anyone:cdrwa") == (0, "", "")
    rc, out, _ = run_cli(server, "getAcl", "-s", base)
    assert rc == 0 and out.startswith("'world,'anyone\n: cdrwa\n") and stat_fields(out)["aclVersion"] == "1"
    rc, out, _ = run_cli(server, "setAcl", "-s", "-v", "1", base, "world:anyone:cdrwa")
    assert rc == 0 and stat_fields(out)["aclVersion"] == "2"
    assert run_cli(server, "setAcl", "-v", "0", base, "world:anyone:cdrwa")[0] == STATUS_BAD_VERSION
    assert run_cli(server, "create", f"{base}/kid")[0] == 0
    assert run_cli(server, "setAcl", "-R", base, "world:anyone:cdr") == (0, "", "")
    assert run_cli(server, "getAcl", f"{base}/kid") == (0, "'world,'anyone\n: cdr\n", "")
    rc, _, err = run_cli(server, "setAcl", base, "world:anyone:x")
    assert rc == 114 and "Unknown perm type: x" in err
    # Read-only now: writes fail with NoAuth.
    assert run_cli(server, "set", base, "x") == (STATUS_NO_AUTH, "", f"Insufficient permission : {base}\n")


def test_digest_auth_in_a_script(server, base):
    script = (f"addauth digest alice:secret\n"
              f"create {base}/private data auth:alice:secret:cdrwa\n"
              f"get {base}/private\n"
              f"getAcl {base}/private\n"
              f"whoami\n")
    rc, out, err = run_cli(server, stdin=script)
    assert rc == 0, err
    assert out.splitlines()[:5] == [f"Created {base}/private", "data", "'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=",
                                    ": cdrwa", "Auth scheme: User"]
    assert "digest: alice" in out.splitlines()
    assert run_cli(server, "get", f"{base}/private") == (STATUS_NO_AUTH, "", f"Insufficient permission : {base}/private\n")


def test_sync_ephemerals_and_deleteall(server, base):
    assert run_cli(server, "sync", base) == (0, "Sync is OK\n", "")
    rc, out, _ = run_cli(server, stdin=f"create -e {base}/e1\ngetEphemerals {base}\n")
    assert rc == 0 and out == f"Created {base}/e1\n[{base}/e1]\n"
    for name in ["x", "x/y", "x/y/z"]:
        assert run_cli(server, "create", f"{base}/{name}")[0] == 0
    assert run_cli(server, "deleteall", f"{base}/x") == (0, "", "")
    assert run_cli(server, "ls", base) == (0, "[]\n", "")
    assert run_cli(server, "deleteall", f"{base}/x") == (STATUS_NO_NODE, "", f"Node does not exist: {base}/x\n")


def test_whoami_and_config(server):
    rc, out, _ = run_cli(server, "whoami")
    assert rc == 0 and out.splitlines()[0] == "Auth scheme: User" and "ip: 127.0.0.1" in out.splitlines()
    assert run_cli(server, "config")[0] == 0


def test_watches_in_a_script(server, base):
    script = (f"get -w {base}\n"
              f"set {base} one\n"
              f"printwatches off\n"
              f"stat -w {base}\n"
              f"set {base} two\n"
              f"printwatches on\n"
              f"sync {base}\n")
    rc, out, err = run_cli(server, stdin=script)
    assert rc == 0, err
    events = re.findall(r"WatchedEvent state:(\w+) type:(\w+) path:(\S+)", out)
    assert events == [("SyncConnected", "NodeDataChanged", base)]
    assert out.count("WATCHER::") == 1


def test_persistent_watch_and_removewatches(server, base):
    script = (f"addWatch {base}\n"
              f"create {base}/kid\n"
              f"set {base}/kid v\n"
              f"removewatches {base}\n"
              f"sync {base}\n")
    rc, out, err = run_cli(server, stdin=script)
    assert rc == 0, err
    events = re.findall(r"WatchedEvent state:\w+ type:(\w+) path:(\S+)", out)
    assert ("NodeCreated", f"{base}/kid") in events and ("NodeDataChanged", f"{base}/kid") in events
    rc, out, err = run_cli(server, stdin=f"addWatch -m PERSISTENT {base}\nset {base} x\nsync {base}\n")
    assert rc == 0 and re.findall(r"type:(\w+) path:(\S+)", out) == [("NodeDataChanged", base)]
    assert run_cli(server, "removewatches", base) == (STATUS_NO_WATCHER, "", f"KeeperErrorCode = No such watcher for {base}\n")


def test_script_status_and_stop_on_error(server, base):
    script = f"get {base}/missing\nls {base}\n"
    assert run_cli(server, stdin=script) == (0, "[]\n", f"Node does not exist: {base}/missing\n")
    assert run_cli(server, stdin=script, extra=("-e",)) == (STATUS_NO_NODE, "", f"Node does not exist: {base}/missing\n")
    assert run_cli(server, stdin=f"ls {base}\nget {base}/missing\n")[0] == STATUS_NO_NODE


def test_history_redo_close_and_connect_in_a_script(server, base):
    script = (f"create {base}/h one\n"
              f"get {base}/h\n"
              f"history\n"
              f"redo 1\n"
              f"close\n"
              f"get {base}/h\n"
              f"connect {server.connect_string}\n"
              f"get {base}/h\n"
              f"quit\n"
              f"get {base}/never\n")
    rc, out, err = run_cli(server, stdin=script)
    assert rc == 0, err
    assert out.splitlines() == [f"Created {base}/h", "one", f"0 - create {base}/h one", f"1 - get {base}/h",
                                "2 - history", "one", "one"]
    assert err == "Not connected\n"


def test_chroot(server, base):
    rc, out, _ = run_cli(server, "create", "/inside", "x", server_string=f"{server.connect_string}{base}")
    assert (rc, out) == (0, "Created /inside\n")
    assert run_cli(server, "get", f"{base}/inside") == (0, "x\n", "")


def test_members_follows_a_group(server, base):
    group = f"{base}/group"
    assert run_cli(server, "create", group)[0] == 0
    assert run_cli(server, "create", f"{group}/alice")[0] == 0
    proc = subprocess.Popen([cli_binary(), "-server", server.connect_string, "members", "-n", "2", group],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        assert run_cli(server, "create", f"{group}/bob")[0] == 0
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert out == "[alice]\n[alice, bob]\n"


def test_members_stops_on_interrupt(server, base):
    proc = subprocess.Popen([cli_binary(), "-server", server.connect_string, "members", f"{base}/nogroup"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert (proc.returncode, out) == (0, "[]\n"), err


# ---- the interactive shell, through tmux --------------------------------------------------------------------


class Terminal:
    """A tmux server of our own (its own socket) running one shell in a 200x50 window."""

    def __init__(self, command, env):
        self.socket = f"aviary-cli-test-{os.getpid()}-{next(_counter)}"
        self.env = env
        wrapped = f"{command}; echo SHELL-EXITED-$?; sleep 30"
        self._tmux("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", wrapped)

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10,
                              env=self.env)

    def send(self, *keys):
        self._tmux("send-keys", "-t", "t", *keys)

    def screen(self):
        return self._tmux("capture-pane", "-p", "-t", "t").stdout

    def wait_for(self, predicate, what, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout}s waiting for {what}; screen:\n{text}")
            time.sleep(0.1)

    def wait_text(self, text, timeout=15.0):
        return self.wait_for(lambda screen: text in screen, repr(text), timeout)

    def close(self):
        self._tmux("kill-server")


@pytest.fixture
def terminal(server, tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux): the interactive shell cannot be driven")
    binary = cli_binary()
    history = str(tmp_path / "history")
    env = dict(os.environ, AVIARY_CLI_HISTORY=history, TERM="xterm")
    opened = []

    def open_terminal():
        term = Terminal(f"{binary} -server {server.connect_string}", env)
        opened.append(term)
        term.wait_for(lambda s: re.search(r"\[zk: \S+\(CONNECTED\) 0\]\s*$", s, re.M), "the first prompt")
        return term

    yield open_terminal
    for term in opened:
        term.close()


def last_line(screen):
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_tab_completes_commands_and_paths(server, base, terminal):
    assert run_cli(server, "create", f"{base}/completeme-node", "found-it")[0] == 0
    term = terminal()
    term.send("cre", "Tab")
    term.wait_for(lambda s: last_line(s).endswith("] create"), "command completion")
    term.send("C-u")
    term.send(f"get {base}/compl", "Tab")
    term.wait_for(lambda s: last_line(s).endswith(f"get {base}/completeme-node"), "path completion")
    term.send("Enter")
    term.wait_text("found-it")


def test_history_is_kept_across_runs(server, base, terminal):
    first = terminal()
    first.send(f"ls {base}", "Enter")
    first.wait_text("[]")
    first.send("C-d")
    first.wait_text("SHELL-EXITED-0")
    second = terminal()
    second.send("Up")
    second.wait_for(lambda s: last_line(s).endswith(f"] ls {base}"), "the line from the first run")


def test_watch_event_keeps_the_typed_line(server, base, terminal):
    term = terminal()
    term.send(f"get -w {base}", "Enter")
    term.wait_for(lambda s: re.search(r"\(CONNECTED\) 1\]\s*$", s, re.M), "the second prompt")
    term.send("ls /partially-typ")
    term.wait_for(lambda s: last_line(s).endswith("ls /partially-typ"), "the typed text")
    assert run_cli(server, "set", base, "changed")[0] == 0
    screen = term.wait_text(f"WatchedEvent state:SyncConnected type:NodeDataChanged path:{base}")
    screen = term.wait_for(lambda s: last_line(s).endswith("] ls /partially-typ"), "the redrawn line")
    assert re.search(r"\[zk: \S+\(CONNECTED\) 1\] ls /partially-typ$", last_line(screen))
    # The line is still editable: finishing it runs it.
    term.send("ped", "Enter")
    term.wait_text("Node does not exist: /partially-typped")
