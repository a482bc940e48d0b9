"""Start and stop the servers under test: Aviary's binary or Debian's ZooKeeper 3.8, on loopback only.

Environment:
  AVIARY_SERVER_BIN  path to the aviary-server executable (required for kind "aviary")
  INTEROP_TARGET     "aviary" (default) or "zookeeper": which implementation the suite runs against,
                     so every interop test can first be proven against the real ZooKeeper.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

ZK_CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
# zookeeper.jar names only slf4j's API; without a binding the server logs nothing at all. These two (Debian's
# libslf4j-java and liblog4j1.2-java, both dependencies of libzookeeper-java) route its log through log4j to the
# CONSOLE appender of /etc/zookeeper/conf/log4j.properties, that is into the server's server.log.
ZK_LOGGING_JARS = ("/usr/share/java/slf4j-log4j12.jar", "/usr/share/java/log4j-1.2.jar")
# zookeeper.jar's manifest names netty-handler but not netty-codec, which it needs at run time (both are in Debian's
# libnetty-java): without it NettyServerCnxnFactory, the only one with a TLS client port, fails every connection with
# ClassNotFoundException io.netty.handler.codec.ByteToMessageDecoder.
ZK_NETTY_JARS = ("/usr/share/java/netty-codec.jar",)
HOST = "127.0.0.1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def free_ports(count):
    """count distinct free ports on 127.0.0.1: all sockets stay bound until every port is picked."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(s)
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def aviary_tool(name):
    """Path of one of Aviary's executables (aviary-cli, aviary-bench) in $AVIARY_BIN_DIR, or a reason it is missing."""
    bin_dir = os.environ.get("AVIARY_BIN_DIR")
    if not bin_dir:
        return None, "AVIARY_BIN_DIR is not set"
    path = os.path.join(bin_dir, name)
    if not os.access(path, os.X_OK):
        return None, f"no {name} in {bin_dir}"
    return path, None


def four_letter_word(port, word, timeout=5.0):
    """Send a four-letter word and return the text reply ('' if the server closed at once)."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        try:
            s.sendall(word.encode("ascii"))
        except (BrokenPipeError, ConnectionResetError):
            return ""
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")


class Server:
    """One running server process with its own config and data directory. secure_port is its TLS client port
    (secureClientPort) when it was started with TLS, else None."""

    def __init__(self, kind, port, workdir, process, log_path, argv=None, secure_port=None):
        self.argv = argv
        self.kind = kind
        self.host = HOST
        self.port = port
        self.secure_port = secure_port
        self.workdir = workdir
        self.process = process
        self.log_path = log_path

    @property
    def connect_string(self):
        return f"{self.host}:{self.port}"

    @property
    def secure_connect_string(self):
        return f"{self.host}:{self.secure_port}"

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def kill(self):
        """SIGKILL: the process gets no chance to flush or clean up. The data directory stays."""
        kill_process(self.process)

    def restart(self, timeout=60.0):
        """Starts the same server again on the same config, data directory and port."""
        self.process = spawn(self.argv, self.workdir, self.log_path, append=True)
        _wait_ready(self.port, self.process, self.log_path, timeout)

    def stop(self):
        terminate_process(self.process)
        shutil.rmtree(self.workdir, ignore_errors=True)


def kill_process(process, timeout=10.0):
    """SIGKILL one process this harness started (by its pid, through its Popen) and reap it."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=timeout)


def terminate_process(process, timeout=10.0):
    """SIGTERM, then SIGKILL if it has not exited after timeout seconds. Returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_process(process)
    return process.returncode


def spawn(argv, workdir, log_path, append=False):
    """Starts a server process with stdout and stderr going to log_path, in workdir."""
    with open(log_path, "a" if append else "w") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)


def server_argv(kind, workdir, config_path, extra_config=None):
    """The command line that runs a server of the given kind on config_path; logs of the JVM go to workdir."""
    if kind == "aviary":
        binary = os.environ.get("AVIARY_SERVER_BIN")
        if not binary:
            raise RuntimeError("AVIARY_SERVER_BIN is not set")
        return [binary, "serve", config_path]
    if kind == "zookeeper":
        return [
            "java", "-Xmx512m",
            f"-Dzookeeper.log.dir={workdir}", "-Dzookeeper.root.logger=INFO,CONSOLE",
            "-Dzookeeper.4lw.commands.whitelist=*",
            # ZooKeeper reads these only as JVM properties, not from zoo.cfg; Aviary reads them from zoo.cfg. (A
            # "zookeeper.x" key in zoo.cfg would become the property zookeeper.zookeeper.x.)
            *[f"-D{key}={value}" for key, value in (extra_config or {}).items()
              if key.startswith(("znode.", "zookeeper.")) or key == "readonlymode.enabled"],
            "-cp", ":".join([ZK_CLASSPATH, *[jar for jar in ZK_LOGGING_JARS + ZK_NETTY_JARS if os.path.exists(jar)]]),
            "org.apache.zookeeper.server.quorum.QuorumPeerMain", config_path,
        ]
    raise ValueError(kind)


def _write_config(workdir, port, extra):
    data_dir = os.path.join(workdir, "data")
    os.makedirs(data_dir, exist_ok=True)
    settings = {
        "tickTime": "2000",
        "initLimit": "10",
        "syncLimit": "5",
        "dataDir": data_dir,
        "clientPort": str(port),
        "clientPortAddress": HOST,
        "4lw.commands.whitelist": "*",
        "admin.enableServer": "false",
    }
    settings.update(extra or {})
    path = os.path.join(workdir, "zoo.cfg")
    with open(path, "w") as f:
        for key, value in settings.items():
            f.write(f"{key}={value}\n")
    return path


def _wait_ready(port, process, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_path, errors="replace") as f:
                raise RuntimeError(f"server exited with {process.returncode}:\n{f.read()[-4000:]}")
        try:
            # ZooKeeper answers ruok before it serves requests; srvr tells the two apart.
            if (four_letter_word(port, "ruok", timeout=1.0).startswith("imok")
                    and "not currently serving" not in four_letter_word(port, "srvr", timeout=1.0)):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready after {timeout}s")


def start(kind=None, extra_config=None, timeout=60.0, tls=None):
    """Start a standalone server of the given kind ("aviary" or "zookeeper"; default INTEROP_TARGET).

    With tls (a tls.TLS), the server also gets a secureClientPort (Server.secure_port) and the zoo.cfg keys
    tls.config() gives it as server 1; extra_config still wins over them.
    """
    kind = kind or os.environ.get("INTEROP_TARGET", "aviary")
    workdir = tempfile.mkdtemp(prefix=f"interop-{kind}-")
    secure_port = None
    if tls is None:
        port = free_port()
    else:
        port, secure_port = free_ports(2)
        extra_config = {**tls.config(kind, 1, secure_port), **(extra_config or {})}
    config_path = _write_config(workdir, port, extra_config)
    log_path = os.path.join(workdir, "server.log")
    argv = server_argv(kind, workdir, config_path, extra_config)
    process = spawn(argv, workdir, log_path)
    server = Server(kind, port, workdir, process, log_path, argv, secure_port)
    try:
        _wait_ready(port, process, log_path, timeout)
    except Exception:
        server.stop()
        raise
    return server
