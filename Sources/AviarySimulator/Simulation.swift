import AviaryConsensus

/// A whole ensemble in one thread: servers, a network with delay, loss and partitions, disks that lose
/// unsynced writes on a crash, and a client writing through whoever leads. Everything random comes from the seed.
public struct Simulation {
    enum Event {
        case tick(Int64, incarnation: Int)
        case notification(from: Int64, to: Int64, Notification)
        case learnerMessage(from: Int64, to: Int64, LearnerMessage<SimulatedTxn>, connection: Int, snapshot: SimulatedState?)
        case connectAttempt(follower: Int64, leader: Int64, incarnation: Int)
        case connectionLost(node: Int64, peer: Int64, incarnation: Int)
        case diskSynced(Int64, incarnation: Int)
        case fault
        case write
    }

    struct Connection {
        var id: Int
        var broken = false
    }

    let options: SimulationOptions
    let membership: QuorumMembership
    var random: SimulationRandom
    var queue = EventQueue<Event>()
    var now: Int64 = 0
    var nodes: [Int64: SimulatedNode] = [:]
    var ids: [Int64]
    /// Open learner connections, by the unordered pair of servers.
    var connections: [PairKey: Connection] = [:]
    var nextConnectionId = 0
    var partitioned: Set<PairKey> = []
    var nextWriteId: Int64 = 1
    var writesEnabled = true
    var checker = SimulationChecker()
    var report: SimulationReport

    struct PairKey: Hashable {
        var low: Int64
        var high: Int64
        init(_ a: Int64, _ b: Int64) {
            low = min(a, b)
            high = max(a, b)
        }
    }

    struct DirectedKey: Hashable {
        var from: Int64
        var to: Int64
    }

    var directedClock: [DirectedKey: Int64] = [:]
    /// The latest election message to each peer that could not be delivered, sent when the link comes back:
    /// ZooKeeper's per-peer send queue keeps exactly one.
    var heldNotifications: [DirectedKey: Notification] = [:]

    public init(seed: UInt64, options: SimulationOptions = SimulationOptions()) {
        self.options = options
        self.random = SimulationRandom(seed: seed)
        let participants = (1...Int64(options.servers)).map { $0 }
        let observers = options.observers == 0 ? [] : (1...Int64(options.observers)).map { Int64(options.servers) + $0 }
        self.membership = QuorumMembership(participants: participants, observers: observers)
        self.ids = membership.members
        self.report = SimulationReport(seed: seed)
        for id in ids { nodes[id] = SimulatedNode(id: id) }
    }

    func consensusConfiguration(for id: Int64) -> ConsensusConfiguration {
        ConsensusConfiguration(
            myId: id, membership: membership, tickTimeMillis: options.tickTimeMillis, initLimit: options.initLimit,
            syncLimit: options.syncLimit, committedLogCount: options.committedLogCount,
            zxidCounterLimit: options.zxidCounterLimit)
    }

    /// Runs the faulty period, heals everything, and checks that the ensemble settles with every acknowledged
    /// write in place.
    public mutating func run() -> SimulationReport {
        for id in ids { boot(id) }
        queue.schedule(.fault, at: nextFaultTime())
        queue.schedule(.write, at: random.between(options.writeIntervalMillis))
        runUntil(options.faultyPeriodMillis)

        heal()
        let healedAt = now
        var settledAt: Int64?
        while now < healedAt + options.settleLimitMillis {
            runUntil(now + 100)
            if isSettled() {
                settledAt = now
                break
            }
        }
        guard let settled = settledAt else {
            report.violations.append("no leader with every server in sync \(options.settleLimitMillis) ms after healing: \(roles())")
            return finish()
        }
        report.settleMillis = settled - healedAt
        // Let the last writes commit everywhere, then stop writing and let everything drain.
        runUntil(now + 1_000)
        writesEnabled = false
        runUntil(now + 3_000)
        checker.checkFinal(nodes: ids.map { nodes[$0]! }, report: &report)
        return finish()
    }

    private mutating func finish() -> SimulationReport {
        report.violations.append(contentsOf: checker.violations)
        report.acknowledgedWrites = checker.acknowledged.count
        report.finalZxid = ids.compactMap { nodes[$0]?.state.lastZxid }.max() ?? 0
        return report
    }

    mutating func runUntil(_ end: Int64) {
        while let time = queue.nextTime, time <= end, let next = queue.pop() {
            now = next.time
            handle(next.event)
        }
        now = end
    }

    // MARK: - Events

    private mutating func handle(_ event: Event) {
        switch event {
        case .tick(let id, let incarnation):
            guard nodes[id]!.isRunning, nodes[id]!.incarnation == incarnation else { return }
            let time = now
            feed(id) { $0.tick(now: time) }
            queue.schedule(.tick(id, incarnation: incarnation), at: now + options.tickIntervalMillis)
        case .notification(let from, let to, let notification):
            guard nodes[to]!.isRunning else { return }
            feed(to) { $0.receiveNotification(notification, from: from) }
        case .learnerMessage(let from, let to, let message, let connectionId, let snapshot):
            guard let connection = connections[PairKey(from, to)], connection.id == connectionId, !connection.broken,
                nodes[to]!.isRunning
            else { return }
            if let snapshot {
                nodes[to]!.state = snapshot
                checker.recordReset(node: to, state: snapshot)
            }
            feed(to) { $0.receive(message, from: from) }
        case .connectAttempt(let follower, let leader, let incarnation):
            attemptConnection(follower: follower, leader: leader, incarnation: incarnation)
        case .connectionLost(let id, let peer, let incarnation):
            guard nodes[id]!.isRunning, nodes[id]!.incarnation == incarnation else { return }
            feed(id) { $0.connectionLost(peer) }
        case .diskSynced(let id, let incarnation):
            guard nodes[id]!.isRunning, nodes[id]!.incarnation == incarnation else { return }
            nodes[id]!.syncScheduled = false
            if let zxid = nodes[id]!.disk.sync() {
                feed(id) { $0.logAppended(through: zxid) }
            }
        case .fault:
            guard now < options.faultyPeriodMillis else { return }
            injectFault()
            if options.trace { print("\(now) fault: partitioned=\(partitioned.map { "\($0.low)-\($0.high)" }.sorted()) \(roles())") }
            if now < options.faultyPeriodMillis {
                queue.schedule(.fault, at: nextFaultTime())
            }
        case .write:
            write()
            queue.schedule(.write, at: now + random.between(options.writeIntervalMillis))
        }
    }

    private mutating func nextFaultTime() -> Int64 {
        now + random.between(options.meanFaultIntervalMillis / 2...options.meanFaultIntervalMillis * 3 / 2)
    }

    private mutating func write() {
        // A cut-off leader may still believe it leads and take writes: they must never count.
        guard writesEnabled,
            let leader = ids.filter({ nodes[$0]!.peer?.nextProposalZxid != nil }).randomElement(using: &random),
            let zxid = nodes[leader]!.peer!.nextProposalZxid
        else { return }
        let txn = SimulatedTxn(zxid: zxid, writeId: nextWriteId)
        nextWriteId += 1
        feed(leader) { $0.propose(txn) }
    }

    // MARK: - Servers

    private mutating func boot(_ id: Int64) {
        nodes[id]!.boot(configuration: consensusConfiguration(for: id))
        checker.recordReset(node: id, state: nodes[id]!.state)
        let time = now
        feed(id) { $0.start(now: time) }
        queue.schedule(.tick(id, incarnation: nodes[id]!.incarnation), at: now + options.tickIntervalMillis)
    }

    private mutating func crash(_ id: Int64) {
        nodes[id]!.crash()
        report.crashes += 1
        heldNotifications = heldNotifications.filter { $0.key.from != id }
        for (key, connection) in connections where key.low == id || key.high == id {
            connections[key] = nil
            let other = key.low == id ? key.high : key.low
            if !connection.broken && !partitioned.contains(key) {
                queue.schedule(.connectionLost(node: other, peer: id, incarnation: nodes[other]!.incarnation), at: now + delay())
            }
        }
    }

    /// Hands an input to a server's consensus core and carries out the effects in order.
    mutating func feed(_ id: Int64, _ input: (inout QuorumPeer<SimulatedTxn>) -> [ConsensusEffect<SimulatedTxn>]) {
        guard var peer = nodes[id]!.peer else { return }
        nodes[id]!.peer = nil
        let effects = input(&peer)
        nodes[id]!.peer = peer
        if options.trace {
            for effect in effects where !isQuiet(effect) { print("\(now) \(id): \(effect)") }
        }
        for effect in effects {
            guard nodes[id]!.isRunning else { return }
            execute(effect, at: id)
        }
    }

    private func isQuiet(_ effect: ConsensusEffect<SimulatedTxn>) -> Bool {
        switch effect {
        case .send(_, .ping), .appendToLog, .deliver, .send(_, .ack), .send(_, .proposal), .send(_, .commit): true
        default: false
        }
    }

    private mutating func execute(_ effect: ConsensusEffect<SimulatedTxn>, at id: Int64) {
        switch effect {
        case .sendNotification(let to, let notification):
            if partitioned.contains(PairKey(id, to)) {
                heldNotifications[DirectedKey(from: id, to: to)] = notification
                return
            }
            guard !random.chance(options.messageLossProbability) else { return }
            queue.schedule(.notification(from: id, to: to, notification), at: fifoTime(from: id, to: to))
        case .send(let to, let message):
            sendLearnerMessage(message, from: id, to: to)
        case .connectToLeader(let leader):
            queue.schedule(.connectAttempt(follower: id, leader: leader, incarnation: nodes[id]!.incarnation), at: now + delay())
        case .disconnect(let peer, _):
            closeConnection(between: id, and: peer)
        case .persistAcceptedEpoch(let epoch):
            nodes[id]!.disk.acceptedEpoch = epoch
        case .persistCurrentEpoch(let epoch):
            nodes[id]!.disk.currentEpoch = epoch
        case .truncateLog(let zxid):
            nodes[id]!.disk.truncate(after: zxid)
            report.truncations += 1
            if nodes[id]!.state.lastZxid > zxid {
                nodes[id]!.state = nodes[id]!.disk.recover()
                checker.recordReset(node: id, state: nodes[id]!.state)
            }
        case .saveSnapshot(let zxid):
            if nodes[id]!.state.lastZxid != zxid {
                checker.violations.append("server \(id) saves a snapshot at \(Zxid.hex(zxid)) of state at \(Zxid.hex(nodes[id]!.state.lastZxid))")
            }
            nodes[id]!.disk.snapshots.append((zxid, nodes[id]!.state))
        case .appendToLog(_, let txn):
            nodes[id]!.disk.unsyncedLog.append(txn)
            if !nodes[id]!.syncScheduled {
                nodes[id]!.syncScheduled = true
                queue.schedule(.diskSynced(id, incarnation: nodes[id]!.incarnation), at: now + random.between(options.diskSyncMillis))
            }
        case .deliver(_, let txn):
            checker.recordDelivery(node: id, txn: txn, acknowledged: nodes[id]!.peer?.isLeaderServing == true, state: &nodes[id]!.state)
        case .servingStateChanged(let state):
            if state == .leading { report.elections += 1 }
        }
    }

    // MARK: - Network

    private mutating func delay() -> Int64 { random.between(options.messageDelayMillis) }

    /// Delivery time on a link that keeps messages in order, as TCP does.
    private mutating func fifoTime(from: Int64, to: Int64) -> Int64 {
        let key = DirectedKey(from: from, to: to)
        let time = max(now + delay(), directedClock[key] ?? 0)
        directedClock[key] = time
        return time
    }

    private mutating func sendLearnerMessage(_ message: LearnerMessage<SimulatedTxn>, from: Int64, to: Int64) {
        let key = PairKey(from, to)
        guard var connection = connections[key], !connection.broken else { return }
        if partitioned.contains(key) {
            // A partition breaks the stream: nothing sent from now on arrives, as with a dead TCP connection.
            connection.broken = true
            connections[key] = connection
            return
        }
        var snapshot: SimulatedState?
        if case .snap(let zxid) = message {
            snapshot = nodes[from]!.state
            report.snapshotSyncs += 1
            if snapshot!.lastZxid != zxid {
                checker.violations.append("server \(from) sends SNAP \(Zxid.hex(zxid)) of state at \(Zxid.hex(snapshot!.lastZxid))")
            }
        }
        queue.schedule(
            .learnerMessage(from: from, to: to, message, connection: connection.id, snapshot: snapshot),
            at: fifoTime(from: from, to: to))
    }

    private mutating func attemptConnection(follower: Int64, leader: Int64, incarnation: Int) {
        guard let node = nodes[follower], node.isRunning, node.incarnation == incarnation,
            node.peer?.servingState == .synchronizing(leader: leader)
        else { return }
        let key = PairKey(follower, leader)
        let leaderState = nodes[leader]!.peer?.servingState
        let leaderIsLeading = leaderState == .leading || leaderState == .synchronizing(leader: leader)
        guard !partitioned.contains(key), leaderIsLeading else {
            // Refused or unreachable: retry, as ZooKeeper's learner does, until the follower gives up.
            queue.schedule(.connectAttempt(follower: follower, leader: leader, incarnation: incarnation), at: now + 100)
            return
        }
        if connections[key] != nil {
            closeConnection(between: follower, and: leader)
        }
        connections[key] = Connection(id: nextConnectionId)
        nextConnectionId += 1
        feed(follower) { $0.connectedToLeader(leader) }
    }

    private mutating func closeConnection(between id: Int64, and peer: Int64) {
        let key = PairKey(id, peer)
        guard let connection = connections.removeValue(forKey: key) else { return }
        if !connection.broken && !partitioned.contains(key), nodes[peer]!.isRunning {
            queue.schedule(.connectionLost(node: peer, peer: id, incarnation: nodes[peer]!.incarnation), at: fifoTime(from: id, to: peer))
        }
    }

    // MARK: - Faults

    private mutating func injectFault() {
        let running = ids.filter { nodes[$0]!.isRunning }
        let crashed = ids.filter { !nodes[$0]!.isRunning }
        switch random.between(0...10) {
        case 0...2:
            if let victim = running.randomElement(using: &random) { crash(victim) }
        case 10:
            // A power cut: every server goes down at once, keeping only what it had synced.
            for victim in running { crash(victim) }
        case 3...4:
            if let revived = crashed.randomElement(using: &random) { boot(revived) }
        case 5...6:
            partitionRandomly()
        case 7:
            healPartitions()
        default:
            let open = connections.keys.sorted { ($0.low, $0.high) < ($1.low, $1.high) }
            if let key = open.randomElement(using: &random) {
                closeConnection(between: key.low, and: key.high)
                if nodes[key.low]!.isRunning {
                    queue.schedule(.connectionLost(node: key.low, peer: key.high, incarnation: nodes[key.low]!.incarnation), at: now + delay())
                }
            }
        }
    }

    /// Splits the servers into two sides, often one server (the leader, half the time) against the rest; links
    /// across are cut both ways.
    private mutating func partitionRandomly() {
        report.partitions += 1
        healPartitions()
        let side: Set<Int64>
        if random.chance(0.5) {
            let leader = ids.first { nodes[$0]!.peer?.servingState == .leading }
            side = [leader.flatMap { random.chance(0.5) ? $0 : nil } ?? ids.randomElement(using: &random)!]
        } else {
            side = Set(ids.filter { _ in random.chance(0.5) })
        }
        for a in ids {
            for b in ids where a < b && side.contains(a) != side.contains(b) {
                partitioned.insert(PairKey(a, b))
            }
        }
    }

    private mutating func healPartitions() {
        partitioned.removeAll()
        let held = heldNotifications.sorted { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }
        heldNotifications.removeAll()
        for (key, notification) in held where nodes[key.from]!.isRunning {
            queue.schedule(.notification(from: key.from, to: key.to, notification), at: fifoTime(from: key.from, to: key.to))
        }
    }

    private mutating func heal() {
        healPartitions()
        for id in ids where !nodes[id]!.isRunning { boot(id) }
    }

    // MARK: - Settling

    private func isSettled() -> Bool {
        let leaders = ids.filter { nodes[$0]!.peer?.servingState == .leading }
        guard leaders.count == 1, let leader = leaders.first else { return false }
        return ids.allSatisfy { id in
            let state = nodes[id]!.peer?.servingState
            return id == leader || state == .following(leader: leader) || state == .observing(leader: leader)
        }
    }

    private func roles() -> String {
        ids.map { "\($0):\(nodes[$0]!.peer.map { "\($0.servingState)" } ?? "down")" }.joined(separator: " ")
    }
}
