import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryWire
import NIOCore

/// A whole ensemble of `Replica`s in one thread, with client sessions: learner connections that carry
/// `QuorumPacket`s and snapshots in order and break with partitions and crashes, election messages that may
/// be lost, disks that lose unsynced appends on a crash, and clients that move between servers with their
/// session. The shell around each replica does what the real driver does (`ReplicaDriver`, `EnsembleLinks`):
/// appends synced in batches and reported later, storage barriers that replace the log writer, a snapshot
/// whenever the log rolls, recovery from the newest snapshot plus the log, a learner dial with retries, the
/// leader learning a learner's id from its FOLLOWERINFO. Everything random comes from the seed, so a seed
/// replays exactly.
///
/// Where it departs from the real shell: packets travel as decoded `QuorumPacket`s, not bytes; a SNAP and its
/// snapshot are one item; the election channel is modelled per message (lossy, the latest one held across a
/// partition) rather than as connections; a broken connection is noticed after a random delay or never (a
/// reset, a keep-alive, or only the replica's own timeouts); epoch files and snapshots are written atomically.
public struct ReplicaSimulation {
    enum LearnerItem: Sendable {
        case packet(QuorumPacket)
        case snapshot(zxid: Int64, ByteBuffer)
        /// The sender closed the connection after everything before this.
        case closed
    }

    enum ClientFrame: Sendable {
        case connect(ConnectRequest)
        case request(RequestHeader, ClientRequest)
    }

    enum ServerItem: Sendable {
        case connectResponse(ConnectResponse)
        case reply(ReplyHeader, ResponseBody)
        case notification(WatcherEvent)
        case closed
    }

    enum Event: Sendable {
        case clock(Int64, incarnation: Int)
        case tick(Int64, incarnation: Int)
        case diskSynced(Int64, incarnation: Int, logGeneration: Int)
        case notification(from: Int64, to: Int64, Notification)
        case dial(learner: Int64, leader: Int64, incarnation: Int, generation: Int, attempt: Int)
        case learnerItem(link: Int, from: Int64, to: Int64, LearnerItem)
        /// This end notices that a broken connection is gone (a reset, or a timeout of its own).
        case learnerLinkBroken(link: Int, at: Int64)
        case clientFrame(link: ConnectionID, ClientFrame)
        case serverItem(link: ConnectionID, ServerItem)
        case clientConnectFailed(client: Int, link: ConnectionID)
        case clientSawReset(link: ConnectionID)
        /// The server's channel for this client closed: its driver feeds `.disconnected`.
        case serverSawClientGone(link: ConnectionID)
        case clientWake(Int)
        case fault
    }

    /// A learner-port connection, dialled by `learner` to `leader`.
    struct LearnerLink: Sendable {
        var id: Int
        var learner: Int64
        var leader: Int64
        /// A partition or crash broke it: nothing more arrives either way.
        var broken = false
        /// Ends that closed it: they send and hear nothing more.
        var closedBy: Set<Int64> = []

        func otherEnd(_ id: Int64) -> Int64 { id == learner ? leader : learner }
    }

    struct ClientLink: Sendable {
        var id: ConnectionID
        var client: Int
        var server: Int64
        var serverIncarnation: Int
        var broken = false
        var closedByServer = false
        var closedByClient = false
        var serverToldGone = false
    }

    /// One direction of one connection (or of the election channel between two servers): FIFO, like TCP.
    enum StreamKey: Hashable {
        case election(from: Int64, to: Int64)
        case learner(link: Int, from: Int64)
        case toServer(ConnectionID)
        case toClient(ConnectionID)
    }

    static let wallClockBase: Int64 = 1_700_000_000_000

    let options: ReplicaSimulationOptions
    let membership: QuorumMembership
    let ids: [Int64]
    var random: SimulationRandom
    var queue = EventQueue<Event>()
    var now: Int64 = 0
    /// Servers by id - 1.
    var nodes: [ReplicaNode]
    var clients: [SimulatedClient]
    var learnerLinks: [Int: LearnerLink] = [:]
    var nextLearnerLink = 1
    var clientLinks: [ConnectionID: ClientLink] = [:]
    var nextClientLink: ConnectionID = 1
    var streamClock: [StreamKey: Int64] = [:]
    /// While partitioned: the servers on one side, and for each client whether it is on that side.
    var partitionSide: Set<Int64>?
    var clientOnPartitionSide: [Bool] = []
    /// The latest election message to each peer that could not be delivered, sent when the link comes back.
    var heldNotifications: [StreamKey: Notification] = [:]
    var checker = ReplicaSimulationChecker()
    var report: ReplicaSimulationReport

    public init(seed: UInt64, options: ReplicaSimulationOptions = ReplicaSimulationOptions()) {
        self.options = options
        self.random = SimulationRandom(seed: seed)
        let participants = (1...Int64(options.servers)).map { $0 }
        let observers = options.observers == 0 ? [] : (1...Int64(options.observers)).map { Int64(options.servers) + $0 }
        self.membership = QuorumMembership(participants: participants, observers: observers)
        self.ids = membership.members
        self.nodes = ids.map { ReplicaNode(id: $0) }
        let members = membership.members
        self.clients = (0..<options.clients).map { SimulatedClient(index: $0, servers: members, options: options) }
        self.clientOnPartitionSide = Array(repeating: false, count: options.clients)
        self.report = ReplicaSimulationReport(seed: seed)
    }

    // MARK: - The run

    /// Runs the faulty period, heals everything, and checks that a leader serves every client within the
    /// limit, then lets the ensemble go quiet and checks the final state.
    public mutating func run() -> ReplicaSimulationReport {
        for id in ids { boot(id) }
        for index in clients.indices {
            queue.schedule(.clientWake(index), at: random.between(1...100))
        }
        queue.schedule(.fault, at: nextFaultTime())
        runUntil(options.faultyPeriodMillis)

        heal()
        let healedAt = now
        var settledAt: Int64?
        while now < healedAt + options.settleLimitMillis {
            runUntil(now + 100)
            if settledAt == nil && isSettled { settledAt = now }
            if settledAt != nil && isSettled && everyClientServed(since: healedAt) { break }
        }
        guard let settled = settledAt, isSettled else {
            checker.fail("no serving leader followed by every server \(options.settleLimitMillis) ms after healing: \(roles)")
            return finish()
        }
        report.settleMillis = settled - healedAt
        for index in clients.indices where !(clients[index].lastSuccessAt.map { $0 > healedAt } ?? false) {
            checker.fail("client \(index) got no answer within \(options.settleLimitMillis) ms of healing: \(clients[index].phase)")
        }
        guard checker.violations.isEmpty else { return finish() }
        checker.ensembleIsStable = true

        // Only pings from here: sessions nobody uses expire, and everything settles.
        for index in clients.indices { clients[index].workloadEnabled = false }
        runUntil(now + Int64(options.sessionTimeoutMillis) + 4 * options.tickTimeMillis + 1_000)
        let quietBy = now + 15_000
        while now < quietBy && !isQuiet { runUntil(now + 100) }
        guard isQuiet else {
            checker.fail("the ensemble never went quiet after healing: \(roles)")
            return finish()
        }
        checker.checkFinal(nodes: nodes, clients: clients)
        return finish()
    }

    private mutating func finish() -> ReplicaSimulationReport {
        report.violations = checker.violations
        report.acknowledgedWrites = checker.acknowledgedWrites
        report.readsChecked = checker.readsChecked
        report.sessionsStarted = checker.sessionsStarted
        report.sessionsExpired = checker.sessionsExpired
        report.sessionsClosed = checker.sessionsClosed
        report.finalZxid = nodes.compactMap { $0.replica?.tree.lastProcessedZxid }.max() ?? 0
        return report
    }

    mutating func runUntil(_ end: Int64) {
        while let time = queue.nextTime, time <= end, let next = queue.pop() {
            now = next.time
            let known = checker.violations.count
            handle(next.event)
            if options.trace {
                for violation in checker.violations.dropFirst(known) { print("\(now) VIOLATION \(violation)") }
            }
        }
        now = end
    }

    func node(_ id: Int64) -> ReplicaNode { nodes[Int(id - 1)] }

    // MARK: - Events

    private mutating func handle(_ event: Event) {
        switch event {
        case .clock(let id, let incarnation):
            guard isCurrent(id, incarnation) else { return }
            feed(id, .clock(now: now))
            queue.schedule(.clock(id, incarnation: incarnation), at: now + options.clockIntervalMillis)
        case .tick(let id, let incarnation):
            guard isCurrent(id, incarnation) else { return }
            feed(id, .tick)
            queue.schedule(.tick(id, incarnation: incarnation), at: now + options.tickTimeMillis)
        case .diskSynced(let id, let incarnation, let generation):
            diskSynced(id, incarnation: incarnation, logGeneration: generation)
        case .notification(let from, let to, let notification):
            guard node(to).isRunning else { return }
            feed(to, .notification(notification, from: from))
        case .dial(let learner, let leader, let incarnation, let generation, let attempt):
            dial(learner: learner, leader: leader, incarnation: incarnation, generation: generation, attempt: attempt)
        case .learnerItem(let link, let from, let to, let item):
            deliver(item, on: link, from: from, to: to)
        case .learnerLinkBroken(let link, let id):
            noticeBroken(link, at: id)
        case .clientFrame(let link, let frame):
            deliver(frame, on: link)
        case .serverItem(let link, let item):
            deliver(item, on: link)
        case .clientConnectFailed(let client, let link):
            if clients[client].link == link { clients[client].dropConnection(now: now, random: &random) }
        case .clientSawReset(let link):
            guard let client = clientLinks[link]?.client, clients[client].link == link else { return }
            clients[client].dropConnection(now: now, random: &random)
        case .serverSawClientGone(let link):
            serverSawClientGone(link)
        case .clientWake(let index):
            wakeClient(index)
            queue.schedule(.clientWake(index), at: now + random.between(options.clientOperationIntervalMillis))
        case .fault:
            guard now < options.faultyPeriodMillis else { return }
            injectFault()
            if options.trace { print("\(now) fault: partition=\(partitionSide.map { $0.sorted() } ?? []) \(roles)") }
            queue.schedule(.fault, at: nextFaultTime())
        }
    }

    private func isCurrent(_ id: Int64, _ incarnation: Int) -> Bool {
        node(id).isRunning && node(id).incarnation == incarnation
    }

    mutating func delay() -> Int64 { latency(options.messageDelayMillis) }

    /// Usually within `usual`; now and then slow.
    mutating func latency(_ usual: ClosedRange<Int64>) -> Int64 {
        random.between(random.chance(options.slowProbability) ? options.slowDelayMillis : usual)
    }

    /// Txns until the log next rolls (ZooKeeper randomises snapCount the same way).
    mutating func snapshotInterval() -> Int {
        let range = options.snapshotEveryTxns
        return Int(random.between(Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    /// When something sent now on this stream arrives: after everything sent on it before.
    mutating func fifoTime(_ key: StreamKey) -> Int64 {
        let time = max(now + delay(), streamClock[key] ?? 0)
        streamClock[key] = time
        return time
    }

    // MARK: - Servers

    func consensusConfiguration(for id: Int64) -> ConsensusConfiguration {
        ConsensusConfiguration(
            myId: id, membership: membership, tickTimeMillis: options.tickTimeMillis, initLimit: options.initLimit,
            syncLimit: options.syncLimit, committedLogCount: options.committedLogCount)
    }

    /// Starts (or restarts) a server from its disk, as the real server does: the newest snapshot plus the log
    /// after it, the epoch files, and the last logged txns as the consensus core's DIFF window.
    mutating func boot(_ id: Int64) {
        let index = Int(id - 1)
        nodes[index].incarnation += 1
        nodes[index].logGeneration += 1
        nodes[index].batchBeingSynced = 0
        nodes[index].learnerLinks.removeAll()
        nodes[index].txnsSinceSnapshot = 0
        nodes[index].snapshotAfterTxns = snapshotInterval()
        let disk = nodes[index].disk
        let recovered = disk.recover()
        var lastLogged = recovered.tree.lastProcessedZxid
        if options.lastLoggedZxidFromLog, let logEnd = disk.durableLog.last?.zxid { lastLogged = logEnd }
        let peer = QuorumPeer<Txn>(
            configuration: consensusConfiguration(for: id), acceptedEpoch: disk.acceptedEpoch,
            currentEpoch: disk.currentEpoch, lastLoggedZxid: lastLogged,
            recentHistory: disk.recentHistory(after: recovered.snapshotZxid, limit: options.committedLogCount))
        nodes[index].replica = Replica(
            configuration: ReplicaConfiguration(serverId: id, tickTimeMillis: Int(options.tickTimeMillis)),
            tree: recovered.tree, restoredSessions: recovered.sessions, sessionSeedMillis: Self.wallClockBase + now,
            consensus: peer)
        nodes[index].appliedThrough = recovered.tree.lastProcessedZxid
        let incarnation = nodes[index].incarnation
        feed(id, .start(now: now))
        queue.schedule(.clock(id, incarnation: incarnation), at: now + random.between(1...options.clockIntervalMillis))
        queue.schedule(.tick(id, incarnation: incarnation), at: now + random.between(1...options.tickTimeMillis))
    }

    /// A crash keeps only what was synced. Its peers and clients hear of it after a delay, unless the power
    /// went, which leaves them to notice by their own timeouts.
    mutating func crash(_ id: Int64, powerCut: Bool) {
        if options.diskLiesAboutSync {
            let lost = min(Int(random.between(0...5)), nodes[Int(id - 1)].disk.durableLog.count)
            nodes[Int(id - 1)].disk.durableLog.removeLast(lost)
        }
        nodes[Int(id - 1)].crash()
        report.crashes += 1
        heldNotifications = heldNotifications.filter {
            if case .election(let from, _) = $0.key { return from != id }
            return true
        }
        for key in learnerLinks.keys.sorted() {
            guard let link = learnerLinks[key], !link.broken, link.learner == id || link.leader == id else { continue }
            breakLearnerLink(key, noticeAfter: powerCut ? nil : delay())
        }
        for key in clientLinks.keys.sorted() {
            guard let link = clientLinks[key], !link.broken, link.server == id else { continue }
            breakClientLink(key, clientNoticesAfter: powerCut ? nil : delay(), serverNoticesAfter: nil)
        }
    }

    // MARK: - Settling

    var isSettled: Bool {
        let leaders = ids.filter { node($0).replica?.consensus?.isLeaderServing == true }
        guard leaders.count == 1, let leader = leaders.first else { return false }
        return ids.allSatisfy { id in
            let state = node(id).replica?.servingState
            return id == leader || state == .following(leader: leader) || state == .observing(leader: leader)
        }
    }

    private func everyClientServed(since time: Int64) -> Bool {
        clients.allSatisfy { $0.lastSuccessAt.map { $0 > time } ?? false }
    }

    /// Settled, every server has applied everything it logged and stands at the same zxid, and every client
    /// is connected with its session and nothing in flight.
    var isQuiet: Bool {
        guard isSettled else { return false }
        let zxids = Set(nodes.compactMap { node -> Int64? in
            guard let replica = node.replica, let consensus = replica.consensus,
                consensus.lastLoggedZxid == consensus.lastDeliveredZxid
            else { return nil }
            return replica.tree.lastProcessedZxid
        })
        guard zxids.count == 1, nodes.allSatisfy({ $0.replica?.consensus != nil }) else { return false }
        return clients.allSatisfy { $0.isConnected && $0.session != nil && $0.inFlightCount == 0 }
    }

    var roles: String {
        ids.map { id in
            let state = node(id).replica.map { "\($0.servingState)@\(Zxid.hex($0.lastProcessedZxid))" } ?? "down"
            return "\(id):\(state)"
        }.joined(separator: " ")
    }
}
