"""Start and drive replicated ensembles on loopback: Aviary members, ZooKeeper 3.8 members, or a mix of both.

    ens = start_ensemble(["aviary", "aviary", "zookeeper"])   # server ids 1..3 in this order
    ens.wait_for_quorum(30)
    old = ens.leader_id()
    ens.kill(old)                                            # SIGKILL; its data directory stays
    ens.restart(old)
    ens.stop_all()

Every member has its own work directory holding `zoo.cfg` (ZooKeeper's format, with one `server.N` line per member),
`data/myid`, `data/version-2` and `server.log`. Ports are free ports on 127.0.0.1; every process is one this module
started and is signalled only through its own Popen (by pid). Every wait is bounded.

Environment (as for harness.py):
  AVIARY_SERVER_BIN  the aviary-server executable, for "aviary" members
  INTEROP_TARGET     "zookeeper" turns every "aviary" member into a ZooKeeper member, so each ensemble test can be
                     proven against real ZooKeeper first; "aviary" (default) keeps the kinds as written
  ENSEMBLE_KEEP      when set, stop_all() leaves the work directories (and logs) in place and prints where they are
"""
import os
import re
import shutil
import signal
import tempfile
import time

from kazoo.client import KazooClient

import harness

HOST = harness.HOST

# Small ticks keep elections, syncs and session expiry quick on a loaded 2-core machine while leaving the JVMs room:
# initLimit 10 ticks (5 s) for a follower to connect and sync, syncLimit 5 ticks (2.5 s) before a silent peer is
# dropped, session timeouts between 1 s and 10 s.
DEFAULT_CONFIG = {
    "tickTime": "500",
    "initLimit": "10",
    "syncLimit": "5",
}

SERVING_MODES = ("leader", "follower", "observer")


class EnsembleError(RuntimeError):
    """An ensemble did not reach the state a test waited for; the message carries every member's mode and log."""


def resolve_kind(kind):
    """The kind that actually runs: with INTEROP_TARGET=zookeeper every "aviary" member is a ZooKeeper member."""
    if kind not in ("aviary", "zookeeper"):
        raise ValueError(f"unknown server kind {kind!r}")
    if kind == "aviary" and os.environ.get("INTEROP_TARGET", "aviary") == "zookeeper":
        return "zookeeper"
    return kind


# --- Members and ensembles --------------------------------------------------------------------------------------

def _read(path):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _parse_mode(srvr_reply):
    match = re.search(r"^Mode: (\S+)", srvr_reply, re.MULTILINE)
    return match.group(1) if match else None


class Member:
    """One server of an ensemble: its id, kind, ports, work directory and (when running) process."""

    def __init__(self, sid, kind, observer, workdir, client_port, quorum_port, election_port, secure_port=None):
        self.id = sid
        self.kind = kind
        self.observer = observer
        self.workdir = workdir
        self.client_port = client_port
        self.quorum_port = quorum_port
        self.election_port = election_port
        self.secure_port = secure_port  # the TLS client port (secureClientPort) of an ensemble started with tls
        self.data_dir = os.path.join(workdir, "data")
        self.config_path = os.path.join(workdir, "zoo.cfg")
        self.log_path = os.path.join(workdir, "server.log")
        self.process = None
        self.argv = None
        self.starts = 0
        self.expected_exit = False  # set by kill/stop, so an exit it caused is not reported as a crash

    @property
    def host(self):
        return HOST

    @property
    def port(self):
        """The client port (the name harness.Server uses)."""
        return self.client_port

    @property
    def address(self):
        return f"{HOST}:{self.client_port}"

    @property
    def secure_address(self):
        return f"{HOST}:{self.secure_port}"

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def server_line(self):
        role = ":observer" if self.observer else ""
        return f"{HOST}:{self.quorum_port}:{self.election_port}{role};{HOST}:{self.client_port}"

    def log(self):
        return _read(self.log_path)

    def log_tail(self, lines=40):
        return "\n".join(self.log().splitlines()[-lines:])

    def srvr(self, timeout=2.0):
        """The srvr reply, or None when nothing answers (not running, port closed)."""
        if not self.running:
            return None
        try:
            return harness.four_letter_word(self.client_port, "srvr", timeout=timeout)
        except OSError:
            return None

    def mode(self):
        """leader, follower, observer, standalone (or read-only); None when the member is not serving."""
        reply = self.srvr()
        return _parse_mode(reply) if reply else None

    def zxid(self):
        """The last zxid this member has applied, from srvr; None when not serving."""
        reply = self.srvr()
        match = re.search(r"^Zxid: (0x[0-9a-fA-F]+)", reply or "", re.MULTILINE)
        return int(match.group(1), 16) if match else None

    def version2_dirs(self):
        """The version-2 directories of dataDir (and dataLogDir when it is set elsewhere)."""
        dirs = [os.path.join(self.data_dir, "version-2")]
        for line in _read(self.config_path).splitlines():
            if line.startswith("dataLogDir="):
                dirs.append(os.path.join(line.split("=", 1)[1].strip(), "version-2"))
        return dirs

    def snapshot_zxids(self):
        """zxids of the snapshot files in the data directory (snapshot.<hex zxid>[.gz|.snappy|...])."""
        zxids = []
        for directory in self.version2_dirs():
            if os.path.isdir(directory):
                for name in os.listdir(directory):
                    match = re.fullmatch(r"snapshot\.([0-9a-fA-F]+)(\..*)?", name)
                    if match:
                        zxids.append(int(match.group(1), 16))
        return sorted(zxids)

    def describe(self):
        state = f"pid {self.pid}" if self.running else (
            f"exited {self.process.returncode}" if self.process is not None else "never started")
        return f"server.{self.id} ({self.kind}{', observer' if self.observer else ''}, {self.address}, {state})"


class Ensemble:
    """A running ensemble started by start_ensemble. Ids are 1..N in the order of `kinds`."""

    def __init__(self, members, root, extra_config):
        self.members = members
        self.root = root
        self.extra_config = extra_config
        self._clients = []

    # --- Lookup -------------------------------------------------------------------------------------------------

    def member(self, sid):
        for m in self.members:
            if m.id == sid:
                return m
        raise KeyError(f"no server.{sid} in this ensemble")

    @property
    def ids(self):
        return [m.id for m in self.members]

    @property
    def kinds(self):
        return [m.kind for m in self.members]

    def running_ids(self):
        return [m.id for m in self.members if m.running]

    def connect_string(self, ids=None, secure=False):
        """host:port,host:port,... of the given members (default: every member, running or not); with secure, of
        their TLS client ports."""
        chosen = self.members if ids is None else [self.member(sid) for sid in ids]
        return ",".join(m.secure_address if secure else m.address for m in chosen)

    # --- State --------------------------------------------------------------------------------------------------

    def mode(self, sid):
        return self.member(sid).mode()

    def modes(self):
        return {m.id: m.mode() for m in self.members}

    def leader_id(self):
        """The id of the one member reporting `leader`; None when there is none (or, transiently, several)."""
        leaders = [sid for sid, mode in self.modes().items() if mode == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def followers(self):
        return [sid for sid, mode in self.modes().items() if mode == "follower"]

    def wait_for_quorum(self, timeout=30.0):
        """Wait until every running member serves as leader, follower or observer with exactly one leader; returns
        the leader's id. Raises EnsembleError (with modes and logs) on timeout or when a member process died."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            modes = {m.id: m.mode() for m in self.members if m.running}
            leaders = [sid for sid, mode in modes.items() if mode == "leader"]
            if modes and len(leaders) == 1 and all(mode in SERVING_MODES for mode in modes.values()):
                return leaders[0]
            if time.monotonic() >= deadline:
                raise EnsembleError(f"no quorum after {timeout}s; modes {modes}\n{self.describe()}")
            time.sleep(0.05)

    def wait_for_mode(self, sid, modes=SERVING_MODES, timeout=30.0):
        """Wait until member sid reports one of `modes`; returns that mode."""
        deadline = time.monotonic() + timeout
        member = self.member(sid)
        while True:
            self._check_alive([member])
            mode = member.mode()
            if mode in modes:
                return mode
            if time.monotonic() >= deadline:
                raise EnsembleError(f"server.{sid} is {mode!r}, not one of {modes}, after {timeout}s\n"
                                    f"{self.describe()}")
            time.sleep(0.05)

    def wait_for_new_leader(self, old_leader, timeout=30.0):
        """Wait until some member other than old_leader reports `leader`; returns its id."""
        deadline = time.monotonic() + timeout
        while True:
            sid = self.leader_id()
            if sid is not None and sid != old_leader:
                return sid
            if time.monotonic() >= deadline:
                raise EnsembleError(f"no new leader after {timeout}s; modes {self.modes()}\n{self.describe()}")
            time.sleep(0.02)

    def _check_alive(self, members=None):
        for m in members or self.members:
            if m.process is not None and m.process.poll() is not None and not m.expected_exit:
                raise EnsembleError(f"server.{m.id} exited unexpectedly with {m.process.returncode}\n"
                                    f"{self.describe()}")

    # --- Processes ----------------------------------------------------------------------------------------------

    def start_member(self, sid):
        """Start member sid (not running) on its config and data directory, appending to its log."""
        m = self.member(sid)
        if m.running:
            raise EnsembleError(f"server.{sid} is already running as pid {m.pid}")
        m.argv = harness.server_argv(m.kind, m.workdir, m.config_path, self.extra_config)
        m.process = harness.spawn(m.argv, m.workdir, m.log_path, append=m.starts > 0)
        m.starts += 1
        m.expected_exit = False
        return m

    def kill(self, sid):
        """SIGKILL member sid (its data directory stays). Returns time.monotonic() right after the signal."""
        m = self.member(sid)
        if not m.running:
            raise EnsembleError(f"server.{sid} is not running")
        m.expected_exit = True
        m.process.kill()
        signalled = time.monotonic()
        m.process.wait(timeout=10)
        return signalled

    def pause(self, sid, timeout=10.0):
        """SIGSTOP member sid and wait until every one of its threads has stopped: it keeps its sockets but answers
        nothing, as a hung or partitioned server.

        The wait matters. The kernel stops a process's other threads only once one thread has taken the signal, so
        on a busy machine a server's threads can still read a socket and write their log for a while after kill()
        returned."""
        m = self.member(sid)
        if not m.running:
            raise EnsembleError(f"server.{sid} is not running")
        m.process.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + timeout
        while not _all_threads_stopped(m.pid):
            if time.monotonic() >= deadline:
                raise EnsembleError(f"server.{sid} (pid {m.pid}) did not stop within {timeout}s of SIGSTOP")
            time.sleep(0.005)

    def resume(self, sid):
        """SIGCONT member sid after pause()."""
        self.member(sid).process.send_signal(signal.SIGCONT)

    def stop(self, sid, timeout=15.0):
        """SIGTERM member sid and wait for it to exit (SIGKILL after timeout). Returns its exit status."""
        m = self.member(sid)
        m.expected_exit = True
        if m.process is None:
            return None
        return harness.terminate_process(m.process, timeout=timeout)

    def restart(self, sid, wait=True, timeout=30.0):
        """Start member sid again (stopping it first if it runs); with wait, until it serves as a member again."""
        if self.member(sid).running:
            self.stop(sid)
        self.start_member(sid)
        if wait:
            self.wait_for_mode(sid, timeout=timeout)
        return self.member(sid)

    def wipe(self, sid):
        """Delete member sid's replicated state (version-2: logs, snapshots, epoch files); myid stays. The member
        must not be running."""
        m = self.member(sid)
        if m.running:
            raise EnsembleError(f"server.{sid} must be stopped before it is wiped")
        for directory in m.version2_dirs():
            shutil.rmtree(directory, ignore_errors=True)

    def stop_all(self, timeout=15.0):
        """Close the clients made by client(), stop every member (SIGTERM, then SIGKILL), remove the directories."""
        for client in self._clients:
            _close_client(client)
        self._clients.clear()
        running = [m for m in self.members if m.running]
        for m in running:
            m.expected_exit = True
            m.process.terminate()
            m.process.send_signal(signal.SIGCONT)   # a paused member handles SIGTERM only once continued
        deadline = time.monotonic() + timeout
        for m in running:
            try:
                m.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:
                harness.kill_process(m.process)
        if os.environ.get("ENSEMBLE_KEEP"):
            print(f"ensemble kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    # --- Clients ------------------------------------------------------------------------------------------------

    def client(self, ids=None, timeout=8.0, start=True, randomize_hosts=True, secure=False, **kwargs):
        """A KazooClient on the given members (default: all), closed by stop_all. `timeout` is the session timeout
        in seconds; reconnects retry forever (each bounded by the session) unless connection_retry says otherwise.
        With secure it connects to the TLS client ports; pass kazoo's TLS arguments (tls.kazoo_tls_args)."""
        kwargs.setdefault("connection_retry", {"max_tries": -1, "delay": 0.1, "backoff": 1.5, "max_delay": 0.5})
        client = KazooClient(hosts=self.connect_string(ids, secure), timeout=timeout, randomize_hosts=randomize_hosts,
                             **kwargs)
        self._clients.append(client)
        if start:
            client.start(timeout=20)
        return client

    def session_holder(self, session_id):
        """Ids of the running members whose `cons` lists the given session id."""
        holders = []
        for m in self.members:
            if not m.running:
                continue
            try:
                cons = harness.four_letter_word(m.client_port, "cons", timeout=2.0)
            except OSError:
                continue
            sids = {int(s, 16) for s in re.findall(r"sid=0x([0-9a-fA-F]+)", cons)}
            if session_id in sids:
                holders.append(m.id)
        return holders

    # --- Reporting ----------------------------------------------------------------------------------------------

    def describe(self, log_lines=25):
        parts = []
        for m in self.members:
            parts.append(f"--- {m.describe()}, mode {m.mode() if m.running else None}; {m.log_path}:")
            parts.append(m.log_tail(log_lines))
        return "\n".join(parts)


def _close_client(client):
    try:
        client.stop()
    except Exception:
        pass
    try:
        client.close()
    except Exception:
        pass


def start_ensemble(kinds, extra_config=None, observers=(), timeout=60.0, wait=True, tls=None):
    """Start an ensemble with one member per entry of `kinds` ("aviary" or "zookeeper"), ids 1..N in order.

    `observers` lists the ids that join as observers; `extra_config` adds or overrides zoo.cfg keys for every
    member. With tls (a tls.TLS), every member gets the zoo.cfg keys tls.config() gives it (extra_config still
    wins) and, when tls.client, a TLS client port (Member.secure_port). With wait, returns once
    wait_for_quorum(timeout) holds.
    """
    if not kinds:
        raise ValueError("an ensemble needs at least one member")
    resolved = [resolve_kind(kind) for kind in kinds]
    observers = set(observers)
    unknown = observers - set(range(1, len(kinds) + 1))
    if unknown:
        raise ValueError(f"observer ids {sorted(unknown)} are not members")

    root = tempfile.mkdtemp(prefix="ensemble-")
    per_member = 4 if tls is not None and tls.client else 3   # the fourth: a TLS client port
    ports = harness.free_ports(per_member * len(kinds))
    members = []
    for index, kind in enumerate(resolved):
        sid = index + 1
        client_port, quorum_port, election_port, *secure = ports[per_member * index:per_member * (index + 1)]
        members.append(Member(sid, kind, sid in observers, os.path.join(root, f"s{sid}"),
                              client_port, quorum_port, election_port, *secure))
    server_lines = {f"server.{m.id}": m.server_line() for m in members}
    ensemble = Ensemble(members, root, extra_config)
    for m in members:
        os.makedirs(m.workdir)
        tls_settings = tls.config(m.kind, m.id, m.secure_port) if tls is not None else {}
        settings = {**DEFAULT_CONFIG, **tls_settings, **(extra_config or {}), **server_lines}
        if m.observer:
            settings["peerType"] = "observer"
        harness._write_config(m.workdir, m.client_port, settings)
        with open(os.path.join(m.data_dir, "myid"), "w") as f:
            f.write(f"{m.id}\n")
    try:
        for m in members:
            ensemble.start_member(m.id)
        if wait:
            ensemble.wait_for_quorum(timeout)
    except BaseException:
        ensemble.stop_all()
        raise
    return ensemble


def _all_threads_stopped(pid):
    """Whether every live thread of process pid is in the stopped state ("T" in /proc/<pid>/task/*/stat)."""
    task_dir = f"/proc/{pid}/task"
    for tid in os.listdir(task_dir):
        try:
            with open(os.path.join(task_dir, tid, "stat")) as f:
                stat = f.read()
        except FileNotFoundError:
            continue                                        # the thread exited meanwhile
        state = stat[stat.rindex(")") + 2]                  # the field after "(comm)", which may hold spaces
        if state not in ("T", "Z", "X"):
            return False
    return True


# --- Reading a subtree the same way on every member ---------------------------------------------------------------

def read_tree(client, root, timeout=10.0):
    """{path: data} of root and every node below it, read through `client` after a sync of root (so the member the
    client is connected to has caught up with the leader first). Every call is bounded by timeout seconds."""
    client.sync_async(root).get(timeout=timeout)
    tree = {}
    pending = [root]
    while pending:
        path = pending.pop()
        data, _ = client.get_async(path).get(timeout=timeout)
        tree[path] = data
        for child in client.get_children_async(path).get(timeout=timeout):
            pending.append(f"{path.rstrip('/')}/{child}")
    return tree


def wait_for_equal_zxids(ens, ids=None, timeout=30.0):
    """Wait until the given running members (default: all running) report the same last zxid; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        zxids = {sid: ens.member(sid).zxid() for sid in (ids or ens.running_ids())}
        values = set(zxids.values())
        if len(values) == 1 and None not in values:
            return values.pop()
        if time.monotonic() >= deadline:
            raise EnsembleError(f"zxids still differ after {timeout}s: "
                                f"{ {sid: hex(z) if z is not None else None for sid, z in zxids.items()} }\n"
                                f"{ens.describe()}")
        time.sleep(0.05)
