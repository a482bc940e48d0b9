import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryWire

/// The invariants of a replica-level run. Clients check what they see as it arrives (per-session FIFO,
/// monotonic zxids, read-your-writes); this checks every server after each step it takes (applied txns in
/// order, once, the same everywhere; ephemerals removed only with their session) and everything at the end
/// (equal trees, acknowledged writes present, no leaked sessions or ephemerals).
struct ReplicaSimulationChecker: Sendable {
    static let violationsKept = 40

    private(set) var violations: [String] = []
    var acknowledgedWrites = 0
    var readsChecked = 0
    var sessionsStarted = 0
    var sessionsExpired = 0
    var sessionsClosed = 0
    /// The txn each zxid stands for, as the first server to apply it applied it.
    private var appliedContent: [Int64: Txn] = [:]
    /// Who created each ephemeral node, from every create any server logged (a create can reach a tree by
    /// recovery or SNAP too, not only by a step).
    private var ephemeralCreator: [String: Int64] = [:]
    /// The tree digest each zxid stands for, as the first server whose tree reached it saw it.
    private var digestByZxid: [Int64: Int64] = [:]
    /// The zxid of each session's closeSession, once some server applied it.
    private var sessionClosedAt: [Int64: Int64] = [:]

    mutating func fail(_ message: String) {
        if violations.count < Self.violationsKept && !violations.contains(message) { violations.append(message) }
    }

    mutating func sessionStarted(_ id: Int64) {
        sessionsStarted += 1
    }

    /// Set once the healed ensemble serves every client: from then on no client's session may expire, since
    /// every client pings and every follower reports its touches to the leader.
    var ensembleIsStable = false

    mutating func sessionAbandoned(_ id: Int64, expired: Bool) {
        if expired { sessionsExpired += 1 } else { sessionsClosed += 1 }
        if expired && ensembleIsStable {
            fail("session \(Zxid.hex(id)) of a pinging client expired after the ensemble had settled")
        }
    }

    // MARK: - After each step

    /// A server took a step. Unless its tree was replaced (boot, SNAP, reload after TRUNC), it has applied
    /// exactly the txns its log holds between where its tree was and where it is now, each following the last
    /// (the next counter, or the first of a later epoch), and the consensus core agrees with the tree on how
    /// far that is.
    mutating func checkStep(_ node: inout ReplicaNode, treeReplaced: Bool) {
        guard let replica = node.replica else { return }
        let zxid = replica.tree.lastProcessedZxid
        let previous = node.appliedThrough
        node.appliedThrough = zxid
        if let delivered = replica.consensus?.lastDeliveredZxid, delivered != zxid {
            fail("server \(node.id): tree at \(Zxid.hex(zxid)), but the consensus core delivered through \(Zxid.hex(delivered))")
        }
        if treeReplaced || zxid != previous { checkDigest(replica.tree, at: node.id) }
        if treeReplaced { return }
        if zxid < previous {
            fail("server \(node.id): tree went back from \(Zxid.hex(previous)) to \(Zxid.hex(zxid)) without a reload")
            return
        }
        guard zxid > previous else { return }
        var last = previous
        for txn in node.disk.loggedTxns(in: (previous + 1)...zxid) {
            if !Self.follows(txn.zxid, last) {
                fail("server \(node.id) applied \(Zxid.hex(txn.zxid)) right after \(Zxid.hex(last)): out of order or a gap")
            }
            last = txn.zxid
            recordApplied(txn, at: node.id, tree: replica.tree)
        }
        if last != zxid {
            fail("server \(node.id): tree at \(Zxid.hex(zxid)) but its log holds no txn there (last applied \(Zxid.hex(last)))")
        }
    }

    /// A zxid names one txn of one history, so every tree that reaches it is the same tree, however it got
    /// there (applying, recovering, a SNAP, a reload).
    private mutating func checkDigest(_ tree: DataTree, at id: Int64) {
        let digest = tree.treeDigest()
        if let known = digestByZxid[tree.lastProcessedZxid] {
            if known != digest {
                fail("server \(id): tree digest at \(Zxid.hex(tree.lastProcessedZxid)) differs from another server's there")
            }
        } else {
            digestByZxid[tree.lastProcessedZxid] = digest
        }
    }

    /// Zxids of one history: the next counter in the same epoch, or the first of a later epoch.
    static func follows(_ zxid: Int64, _ previous: Int64) -> Bool {
        if zxid == previous + 1 { return true }
        return Zxid.epoch(of: zxid) > Zxid.epoch(of: previous) && Zxid.counter(of: zxid) == 1
    }

    private mutating func recordApplied(_ txn: Txn, at id: Int64, tree: DataTree) {
        if let known = appliedContent[txn.zxid] {
            if known != txn {
                fail("server \(id) applied \(Self.describe(txn)) at \(Zxid.hex(txn.zxid)), where \(Self.describe(known)) was applied")
            }
        } else {
            appliedContent[txn.zxid] = txn
        }
        let session = txn.header.clientId
        switch txn.body {
        case .create(let path, _, _, true, _, _):
            if let closedAt = sessionClosedAt[session], closedAt < txn.zxid {
                fail("server \(id): ephemeral \(path) created at \(Zxid.hex(txn.zxid)) for closed session \(Zxid.hex(session))")
            }
        case .closeSession(let paths):
            sessionClosedAt[session] = min(sessionClosedAt[session] ?? txn.zxid, txn.zxid)
            for path in paths ?? [] where ephemeralCreator[path] != session {
                fail("server \(id): closing session \(Zxid.hex(session)) deletes \(path), which it did not create")
            }
            let left = tree.ephemerals(of: session)
            if !left.isEmpty {
                fail("server \(id): session \(Zxid.hex(session)) closed at \(Zxid.hex(txn.zxid)) but its ephemerals \(left) remain")
            }
        default:
            break
        }
    }

    /// A server logged a txn: remember who creates each ephemeral (paths are never reused across sessions).
    mutating func recordLogged(_ txn: Txn) {
        guard case .create(let path, _, _, true, _, _) = txn.body else { return }
        ephemeralCreator[path] = ephemeralCreator[path] ?? txn.header.clientId
    }

    static func describe(_ txn: Txn) -> String {
        let type = OpCode(rawValue: txn.header.type).map { "\($0)" } ?? "type \(txn.header.type)"
        return "\(type) of session \(Zxid.hex(txn.header.clientId)) cxid \(txn.header.cxid)"
    }

    // MARK: - At the end

    /// Once healed and quiet: every server holds the same tree and sessions, its disk recovers what it serves,
    /// every acknowledged write is there with its value or a later one, and the sessions alive are exactly the
    /// clients' current ones, with their ephemerals and no others.
    mutating func checkFinal(nodes: [ReplicaNode], clients: [SimulatedClient]) {
        let running = nodes.filter(\.isRunning)
        guard running.count == nodes.count, let reference = running.first?.replica else {
            fail("not every server runs at the end")
            return
        }
        for node in running.dropFirst() {
            compareTrees(reference: reference, id: running[0].id, other: node.replica!, otherId: node.id)
        }
        for node in running {
            var disk = node.disk
            disk.sync()
            let recovered = disk.recover().tree
            if recovered.lastProcessedZxid != node.replica!.tree.lastProcessedZxid
                || recovered.treeDigest() != node.replica!.tree.treeDigest()
            {
                fail(
                    "server \(node.id): its disk recovers \(Zxid.hex(recovered.lastProcessedZxid)), "
                        + "it serves \(Zxid.hex(node.replica!.tree.lastProcessedZxid))")
            }
        }
        for node in running {
            for session in node.replica!.sessions.sessions.values.sorted(by: { $0.id < $1.id }) where session.isClosing {
                fail("server \(node.id): session \(Zxid.hex(session.id)) is stuck closing at the end")
            }
        }
        let leader = running.first { $0.replica!.consensus?.isLeaderServing == true }?.replica ?? reference
        checkAcknowledgedWrites(in: leader.tree, clients: clients)
        checkSessions(leader, clients: clients)
    }

    private mutating func compareTrees(reference: Replica, id: Int64, other: Replica, otherId: Int64) {
        let a = reference.tree
        let b = other.tree
        if a.lastProcessedZxid != b.lastProcessedZxid {
            fail("server \(otherId) ends at \(Zxid.hex(b.lastProcessedZxid)), server \(id) at \(Zxid.hex(a.lastProcessedZxid))")
            return
        }
        if a.treeDigest() != b.treeDigest() || a.nodeCount != b.nodeCount {
            let paths = Set(a.allPaths()).union(b.allPaths()).sorted()
            let differing = paths.first { path in
                let left = a.node(at: path)
                let right = b.node(at: path)
                return left?.data != right?.data || left?.stat != right?.stat
            }
            fail(
                "servers \(id) and \(otherId) differ at \(Zxid.hex(a.lastProcessedZxid)): \(a.nodeCount) vs \(b.nodeCount) nodes, "
                    + "first difference at \(differing ?? "?")")
        }
        let sessionsA = reference.sessions.sessions.keys.sorted()
        let sessionsB = other.sessions.sessions.keys.sorted()
        if sessionsA != sessionsB {
            fail("servers \(id) and \(otherId) track different sessions: \(sessionsA.map(Zxid.hex)) vs \(sessionsB.map(Zxid.hex))")
        }
    }

    private mutating func checkAcknowledgedWrites(in tree: DataTree, clients: [SimulatedClient]) {
        for client in clients {
            for path in client.paths where path.acknowledged >= 0 {
                guard let node = tree.node(at: path.path) else {
                    fail("client \(client.index): \(path.path) was acknowledged but is missing at the end")
                    continue
                }
                let value = SimulatedClient.decode(node.data)
                if value == nil || value! < path.acknowledged || value! > path.issued {
                    fail(
                        "client \(client.index): \(path.path) ends as \(value.map(String.init) ?? "?"), "
                            + "acknowledged \(path.acknowledged), highest written \(path.issued)")
                }
            }
        }
    }

    private mutating func checkSessions(_ leader: Replica, clients: [SimulatedClient]) {
        let live = leader.sessions.sessions
        let current = Set(clients.compactMap { $0.session?.id })
        for (id, session) in live.sorted(by: { $0.key < $1.key }) {
            if !current.contains(id) {
                let closing = session.isClosing ? " (closing)" : ""
                fail("session \(Zxid.hex(id)) is still alive at the end, though no client uses it\(closing)")
            }
        }
        for id in current.sorted() where live[id] == nil {
            fail("session \(Zxid.hex(id)) of a connected client is unknown to the leader at the end")
        }
        for path in leader.tree.allPaths().sorted() {
            guard let owner = leader.tree.node(at: path)?.stat.ephemeralOwner else { continue }
            guard owner != 0, owner != EphemeralOwner.container, !EphemeralOwner.isTTL(owner) else { continue }
            if live[owner] == nil {
                fail("ephemeral \(path) outlives its session \(Zxid.hex(owner))")
            }
        }
        for client in clients {
            for (session, path) in client.acknowledgedEphemerals where live[session] != nil {
                if leader.tree.node(at: path)?.stat.ephemeralOwner != session {
                    fail("client \(client.index): ephemeral \(path) of live session \(Zxid.hex(session)) is missing at the end")
                }
            }
        }
    }
}
