"""TLS for the interop tests: certificates from `aviary-server certs`, the zoo.cfg keys that turn on quorum and
client TLS (ZooKeeper 3.8's names, which Aviary reads too), and kazoo clients over TLS.

    certs = make_certs(directory, servers=[1, 2, 3], clients=["alice", "admin"])
    ens = ensemble.start_ensemble(["aviary"] * 3, tls=TLS(certs))
    client = ens.client(secure=True, **kazoo_tls_args(certs, "alice"))

Certificates come from the aviary-server binary (AVIARY_SERVER_BIN) for either target, so the ZooKeeper runs of
these tests also prove that ZooKeeper 3.8 accepts the files Aviary writes: PEM, PKCS#8 ECDSA P-256 keys, the key
and the certificate in one file.
"""
import itertools
import logging
import os
import subprocess
import time

from kazoo.client import KazooClient

HOST = "127.0.0.1"
SUPER_USER = "CN=admin,O=Aviary"
SUPER_USER_KEY = "X509AuthenticationProvider.superUser"   # also read with a "zookeeper." prefix
CERTS_TIMEOUT = 60.0

# What a ZooKeeper 3.8 member needs beyond the keys both kinds read: TLS client ports exist only in the Netty
# connection factory, and the x509 scheme is a provider that has to be named. Aviary ignores these keys.
ZOOKEEPER_CLIENT_TLS = {
    "serverCnxnFactory": "org.apache.zookeeper.server.NettyServerCnxnFactory",
    "authProvider.x509": "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
}


def x509_id(name):
    """The identity a client certificate made by `certs --client NAME` authenticates as (RFC 2253 subject)."""
    return f"CN={name},O=Aviary"


def certs_binary():
    binary = os.environ.get("AVIARY_SERVER_BIN")
    if not binary:
        raise RuntimeError("AVIARY_SERVER_BIN is not set (certificates are made by `aviary-server certs`, "
                           "for either INTEROP_TARGET)")
    return binary


class Certs:
    """A directory of PEM files as `aviary-server certs` writes them: ca.pem, ca-key.pem, server.ID.pem and
    client.NAME.pem (private key followed by certificate)."""

    def __init__(self, directory):
        self.directory = directory

    @property
    def ca(self):
        return os.path.join(self.directory, "ca.pem")

    @property
    def ca_key(self):
        return os.path.join(self.directory, "ca-key.pem")

    def server(self, sid):
        return os.path.join(self.directory, f"server.{sid}.pem")

    def client(self, name):
        return os.path.join(self.directory, f"client.{name}.pem")

    def issue(self, servers=(), clients=(), days=None, not_before=None):
        """Runs `certs` on this directory (a new CA the first time, the same CA afterwards); returns its stdout.
        servers are ids (certificate for 127.0.0.1) or "ID=HOST,HOST" strings."""
        argv = [certs_binary(), "certs", "--out", self.directory]
        for server in servers:
            argv += ["--server", server if isinstance(server, str) else f"{server}={HOST}"]
        for name in clients:
            argv += ["--client", name]
        if days is not None:
            argv += ["--days", str(days)]
        if not_before is not None:
            argv += ["--not-before", not_before]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=CERTS_TIMEOUT, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout


def make_certs(directory, servers=(), clients=(), **kwargs):
    """A Certs in directory with a CA (new unless the directory has one) and the given certificates."""
    certs = Certs(directory)
    certs.issue(servers, clients, **kwargs)
    return certs


class TLS:
    """The TLS settings of a server or an ensemble, for harness.start(tls=...) and ensemble.start_ensemble(tls=...).

    quorum: sslQuorum with each member's server.ID.pem; client: a secureClientPort with the same certificate, clients
    verified against ca.pem as client_auth says (None leaves ssl.clientAuth at its default, need), admin as super
    user. member_certs gives some members another Certs (another CA): their keystore and truststore come from it;
    member_config gives some members more zoo.cfg keys (or other values). super_user_key is the spelling of the
    super user's key.
    """

    def __init__(self, certs, quorum=True, client=True, client_auth=None, member_certs=None, member_config=None,
                 super_user_key=SUPER_USER_KEY):
        self.certs = certs
        self.quorum = quorum
        self.client = client
        self.client_auth = client_auth
        self.super_user_key = super_user_key
        self.member_certs = member_certs or {}
        self.member_config = member_config or {}

    def config(self, kind, sid, secure_port):
        certs = self.member_certs.get(sid, self.certs)
        settings = {}
        if self.quorum:
            settings.update(quorum_config(certs, sid))
        if self.client:
            settings.update(client_config(certs, sid, secure_port, self.client_auth, self.super_user_key))
            if kind == "zookeeper":
                settings.update(ZOOKEEPER_CLIENT_TLS)
        settings.update(self.member_config.get(sid, {}))
        return settings


def quorum_config(certs, sid):
    """zoo.cfg keys for TLS between members (election and quorum ports), as server sid."""
    return {
        "sslQuorum": "true",
        "ssl.quorum.keyStore.location": certs.server(sid),
        "ssl.quorum.keyStore.type": "PEM",
        "ssl.quorum.trustStore.location": certs.ca,
        "ssl.quorum.trustStore.type": "PEM",
    }


def client_config(certs, sid, secure_port, client_auth=None, super_user_key=SUPER_USER_KEY):
    """zoo.cfg keys for a TLS client port served with server sid's certificate; admin is the x509 super user."""
    settings = {
        "secureClientPort": str(secure_port),
        "secureClientPortAddress": HOST,
        "ssl.keyStore.location": certs.server(sid),
        "ssl.keyStore.type": "PEM",
        "ssl.trustStore.location": certs.ca,
        "ssl.trustStore.type": "PEM",
        super_user_key: SUPER_USER,
    }
    if client_auth is not None:
        settings["ssl.clientAuth"] = client_auth
    return settings


def kazoo_tls_args(certs, name=None, ca=None):
    """KazooClient arguments for TLS that verifies the server against ca (default: certs' CA) and, with name, presents
    client.NAME.pem (key and certificate in one file, so it is both kazoo's certfile and keyfile)."""
    args = {"use_ssl": True, "verify_certs": True, "ca": ca or certs.ca}
    if name is not None:
        args["certfile"] = args["keyfile"] = certs.client(name)
    return args


# A client that must not get a session tries twice (the server refuses at once) and must have given up within
# REFUSED_WITHIN seconds; every attempt is also bounded by the session timeout.
REFUSED_WITHIN = 8.0
FEW_TRIES = {"max_tries": 1, "delay": 0.1, "backoff": 1, "max_delay": 0.2}
_loggers = itertools.count()


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def assert_refused(hosts, within=REFUSED_WITHIN, **kwargs):
    """Starts a KazooClient on hosts with kwargs and asserts that it gets no session and gives up within `within`
    seconds because the connection was dropped (not because it timed out). Returns kazoo's warnings, such as
    "Connection dropped: socket connection error: [SSL: ...] ...", for the test to look at."""
    messages = _Messages()
    logger = logging.getLogger(f"interop.tls.refused.{next(_loggers)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(messages)
    client = KazooClient(hosts=hosts, timeout=4.0, connection_retry=FEW_TRIES, logger=logger, **kwargs)
    try:
        client.start_async()
        deadline = time.monotonic() + within
        while not any(m.startswith("Failed connecting") for m in messages.messages):
            assert not client.connected, f"{hosts} gave a session to a client it must refuse ({kwargs})"
            assert time.monotonic() < deadline, f"client still trying after {within}s: {messages.messages}"
            time.sleep(0.05)
        assert not client.connected
        drops = [m for m in messages.messages if m.startswith("Connection dropped")]
        assert drops, f"the client was not refused but timed out: {messages.messages}"
        return drops
    finally:
        client.stop()
        client.close()
        logger.removeHandler(messages)
