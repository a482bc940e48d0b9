"""Shared fixtures for the interop acceptance suite.

Each test module gets one server (module scope), configured by an optional module-level dict `SERVER_CONFIG`
(extra zoo.cfg keys). The target implementation comes from INTEROP_TARGET ("aviary" or "zookeeper").
Every test works under its own znode prefix (`zpath`) so tests sharing a server do not interfere.
"""
import itertools
import os
import re
import sys
import time

import pytest
from kazoo.client import KazooClient

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ensemble  # noqa: E402
import harness  # noqa: E402
import rawzk  # noqa: E402

CLIENT_START_TIMEOUT = 15.0
_counter = itertools.count()


def start_server(extra_config=None):
    return harness.start(extra_config=extra_config)


@pytest.fixture(scope="module")
def server(request):
    srv = start_server(getattr(request.module, "SERVER_CONFIG", None))
    yield srv
    srv.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so fixtures can tell at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def ensembles(request):
    """ensembles(kinds, **kwargs) -> a started ensemble.Ensemble (arguments as ensemble.start_ensemble).

    At teardown every ensemble it started is stopped (clients, then servers) and its directories removed; when the test failed, each
    member's mode and the tail of its log are printed first.
    """
    started = []

    def start(kinds, **kwargs):
        ens = ensemble.start_ensemble(kinds, **kwargs)
        started.append(ens)
        return ens

    yield start
    report = getattr(request.node, "rep_call", None)
    for ens in started:
        if report is not None and report.failed:
            print(f"\n=== ensemble state after failure ===\n{ens.describe()}")
        ens.stop_all()


class ClientFactory:
    """Makes started KazooClients and RawClients, and stops every one of them at teardown."""

    def __init__(self, server):
        self.server = server
        self._kazoo = []
        self._raw = []

    def kazoo(self, hosts=None, timeout=10.0, start=True, **kwargs):
        kwargs.setdefault("connection_retry", {"max_tries": -1, "delay": 0.1, "backoff": 1, "max_delay": 0.5})
        client = KazooClient(hosts=hosts or self.server.connect_string, timeout=timeout, **kwargs)
        self._kazoo.append(client)
        if start:
            client.start(timeout=CLIENT_START_TIMEOUT)
        return client

    def raw(self, port=None, **kwargs):
        client = rawzk.RawClient(harness.HOST, port or self.server.port, **kwargs)
        self._raw.append(client)
        return client

    def close_all(self):
        for client in self._raw:
            client.close()
        for client in self._kazoo:
            try:
                client.stop()
            finally:
                client.close()


@pytest.fixture
def clients(server):
    factory = ClientFactory(server)
    yield factory
    factory.close_all()


@pytest.fixture
def make_client(clients):
    """make_client(**kwargs) -> a started KazooClient connected to the module's server."""
    return clients.kazoo


@pytest.fixture
def client(clients):
    return clients.kazoo()


@pytest.fixture
def raw(clients):
    return clients.raw()


@pytest.fixture
def zpath(request, server):
    """A unique, existing, empty persistent znode for this test, e.g. /test_create_stat-17."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:60]
    path = f"/{name}-{next(_counter)}"
    with rawzk.RawClient(harness.HOST, server.port) as c:
        c.create(path)
    return path


def wait_until(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Poll predicate until it returns a truthy value; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
