"""kazoo's Lock, Election and Party recipes across a leader change: sessions survive the SIGKILL of the leader, so
lock holders keep their lock, the elected one stays elected and party members stay members; what the recipes do
next (hand the lock over, elect the next contender, drop a member that leaves) still works under the new leader.
"""
import threading

from conftest import wait_until

THREE = ["aviary"] * 3
SESSION_SECONDS = 8.0
OP_TIMEOUT = 10.0


def kill_leader_and_wait(ens, clients):
    old = ens.leader_id()
    sessions = {name: client.client_id[0] for name, client in clients.items()}
    ens.kill(old)
    new = ens.wait_for_new_leader(old, timeout=30)
    ens.wait_for_quorum(timeout=30)
    wait_until(lambda: all(client.connected for client in clients.values()), timeout=2 * SESSION_SECONDS,
               message="every client to reconnect")
    # Every session survived the leader change (no client had to start a new one).
    assert {name: client.client_id[0] for name, client in clients.items()} == sessions
    return old, new


def ephemeral_owners(client, path):
    """{child name: ephemeralOwner} under path, read after a sync."""
    client.sync_async(path).get(timeout=OP_TIMEOUT)
    owners = {}
    for child in client.get_children_async(path).get(timeout=OP_TIMEOUT):
        stat = client.exists_async(f"{path}/{child}").get(timeout=OP_TIMEOUT)
        if stat is not None:
            owners[child] = stat.ephemeralOwner
    return owners


def test_lock_holder_keeps_the_lock_and_the_waiter_gets_it_after_release(ensembles):
    ens = ensembles(THREE)
    alice, bob = ens.client(timeout=SESSION_SECONDS), ens.client(timeout=SESSION_SECONDS)
    observer = ens.client()
    alice_lock = alice.Lock("/recipes/lock", "alice")
    bob_lock = bob.Lock("/recipes/lock", "bob")
    assert alice_lock.acquire(timeout=OP_TIMEOUT)
    bob_got_it = threading.Event()

    def bob_waits():
        if bob_lock.acquire(timeout=60):
            bob_got_it.set()

    waiter = threading.Thread(target=bob_waits, daemon=True)
    waiter.start()
    wait_until(lambda: observer.Lock("/recipes/lock").contenders() == ["alice", "bob"], timeout=OP_TIMEOUT,
               message="bob to queue behind alice")

    kill_leader_and_wait(ens, {"alice": alice, "bob": bob})

    assert observer.Lock("/recipes/lock").contenders() == ["alice", "bob"]
    assert alice_lock.is_acquired and not bob_got_it.is_set()
    assert sorted(ephemeral_owners(observer, "/recipes/lock").values()) == sorted(
        [alice.client_id[0], bob.client_id[0]])

    alice_lock.release()
    assert bob_got_it.wait(OP_TIMEOUT), "bob did not get the lock after alice released it"
    assert observer.Lock("/recipes/lock").contenders() == ["bob"]
    bob_lock.release()
    waiter.join(timeout=OP_TIMEOUT)


def test_elected_leader_stays_elected_and_the_next_takes_over_when_it_resigns(ensembles):
    ens = ensembles(THREE)
    clients = {name: ens.client(timeout=SESSION_SECONDS) for name in ("alice", "bob")}
    observer = ens.client()
    leading = {name: threading.Event() for name in clients}
    resign = {name: threading.Event() for name in clients}
    elections = {name: client.Election("/recipes/election", name) for name, client in clients.items()}

    def campaign(name):
        def lead():
            leading[name].set()
            resign[name].wait(60)
        elections[name].run(lead)

    threads = []
    for name in ("alice", "bob"):
        thread = threading.Thread(target=campaign, args=(name,), daemon=True)
        thread.start()
        threads.append(thread)
        if name == "alice":
            assert leading["alice"].wait(OP_TIMEOUT)
    wait_until(lambda: observer.Election("/recipes/election").contenders() == ["alice", "bob"],
               timeout=OP_TIMEOUT, message="both contenders")

    kill_leader_and_wait(ens, clients)

    assert observer.Election("/recipes/election").contenders() == ["alice", "bob"]
    assert leading["alice"].is_set() and not leading["bob"].is_set()

    resign["alice"].set()
    assert leading["bob"].wait(OP_TIMEOUT), "bob was not elected after alice resigned"
    assert observer.Election("/recipes/election").contenders() == ["bob"]
    resign["bob"].set()
    for thread in threads:
        thread.join(timeout=OP_TIMEOUT)


def test_party_members_stay_members_until_they_leave_or_their_session_ends(ensembles):
    ens = ensembles(THREE)
    names = ("alice", "bob", "carol")
    clients = {name: ens.client(timeout=SESSION_SECONDS) for name in names}
    observer = ens.client()
    parties = {name: client.Party("/recipes/party", name) for name, client in clients.items()}
    for party in parties.values():
        party.join()

    def members():
        observer.sync_async("/recipes/party").get(timeout=OP_TIMEOUT)
        return sorted(observer.Party("/recipes/party"))

    assert members() == sorted(names)

    kill_leader_and_wait(ens, clients)

    assert members() == sorted(names)
    assert sorted(ephemeral_owners(observer, "/recipes/party").values()) == sorted(
        client.client_id[0] for client in clients.values())
    parties["bob"].leave()
    assert members() == ["alice", "carol"]
    clients["carol"].stop()  # closing the session removes its member node
    wait_until(lambda: members() == ["alice"], timeout=OP_TIMEOUT, message="carol's membership to end")
