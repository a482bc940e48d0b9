import AviaryConsensus
import AviarySimulator

/// A hand-driven ensemble for readable scenarios: messages are delivered in send order when the script says
/// so, disks sync when told, and every learner-port message and role change is written to a transcript.
struct ScriptedEnsemble {
    enum Delivery {
        case notification(Notification)
        case learner(LearnerMessage<SimulatedTxn>)
        case connected
        case lost
    }

    struct Envelope {
        var from: Int64
        var to: Int64
        var delivery: Delivery
    }

    let membership: QuorumMembership
    var peers: [Int64: QuorumPeer<SimulatedTxn>] = [:]
    var applied: [Int64: [SimulatedTxn]] = [:]
    var unsynced: [Int64: Int64] = [:]
    var inFlight: [Envelope] = []
    var isolated: Set<Int64> = []
    var now: Int64 = 0
    var transcript: [String] = []
    var nextWrite: Int64 = 1
    /// Followers waiting for their leader to open its learner port, retried every tick as ZooKeeper does.
    var pendingConnections: [(follower: Int64, leader: Int64)] = []

    /// `histories` gives each server's recovered state: its current epoch and the txns it logged.
    init(histories: [Int64: (epoch: Int64, zxids: [Int64])], zxidCounterLimit: Int64 = Zxid.maxCounter) {
        membership = QuorumMembership(participants: histories.keys.sorted())
        for (id, history) in histories {
            let txns = history.zxids.map { SimulatedTxn(zxid: $0, writeId: $0) }
            applied[id] = txns
            peers[id] = QuorumPeer(
                configuration: ConsensusConfiguration(
                    myId: id, membership: membership, tickTimeMillis: 100, initLimit: 10, syncLimit: 5,
                    committedLogCount: 4, zxidCounterLimit: zxidCounterLimit),
                acceptedEpoch: history.epoch, currentEpoch: history.epoch, lastLoggedZxid: history.zxids.last ?? 0,
                recentHistory: txns.map { ($0.zxid, $0) })
        }
    }

    mutating func startAll() {
        for id in peers.keys.sorted() { apply(id, peers[id]!.start(now: now)) }
    }

    /// Delivers messages (and syncs disks) until nothing moves, then lets `millis` pass in 10 ms ticks.
    mutating func run(millis: Int64 = 0) {
        settle()
        let end = now + millis
        while now < end {
            now += 10
            let waiting = pendingConnections
            pendingConnections = []
            for (follower, leader) in waiting { connect(follower, to: leader) }
            for id in peers.keys.sorted() where peers[id] != nil { apply(id, peers[id]!.tick(now: now)) }
            settle()
        }
    }

    private mutating func settle() {
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            if !inFlight.isEmpty {
                let envelope = inFlight.removeFirst()
                deliver(envelope)
            } else if let id = unsynced.keys.sorted().first {
                let zxid = unsynced.removeValue(forKey: id)!
                apply(id, peers[id]!.logAppended(through: zxid))
            } else {
                return
            }
        }
    }

    private mutating func deliver(_ envelope: Envelope) {
        let to = envelope.to
        guard peers[to] != nil, !isolated.contains(to), !isolated.contains(envelope.from) else { return }
        switch envelope.delivery {
        case .notification(let notification):
            apply(to, peers[to]!.receiveNotification(notification, from: envelope.from))
        case .learner(let message):
            apply(to, peers[to]!.receive(message, from: envelope.from))
        case .connected:
            apply(to, peers[to]!.connectedToLeader(envelope.from))
        case .lost:
            apply(to, peers[to]!.connectionLost(envelope.from))
        }
    }

    /// A client write through the current leader; returns its zxid.
    @discardableResult
    mutating func write(at leader: Int64) -> Int64? {
        guard let zxid = peers[leader]?.nextProposalZxid else { return nil }
        let txn = SimulatedTxn(zxid: zxid, writeId: nextWrite)
        nextWrite += 1
        apply(leader, peers[leader]!.propose(txn))
        return zxid
    }

    mutating func crash(_ id: Int64) {
        peers[id] = nil
        transcript.append("\(id) crashed")
    }

    func state(_ id: Int64) -> String {
        peers[id].map { "\($0.servingState)" } ?? "down"
    }

    private mutating func apply(_ id: Int64, _ effects: [ConsensusEffect<SimulatedTxn>]) {
        for effect in effects {
            switch effect {
            case .sendNotification(let to, let notification):
                inFlight.append(Envelope(from: id, to: to, delivery: .notification(notification)))
            case .send(let to, let message):
                if case .ping = message {} else { transcript.append("\(id)->\(to) \(message)") }
                inFlight.append(Envelope(from: id, to: to, delivery: .learner(message)))
            case .connectToLeader(let leader):
                connect(id, to: leader)
            case .disconnect(let peer, let reason):
                transcript.append("\(id) drops \(peer): \(reason)")
                inFlight.append(Envelope(from: id, to: peer, delivery: .lost))
            case .appendToLog(let zxid, _):
                unsynced[id] = zxid
            case .deliver(_, let txn):
                applied[id, default: []].append(txn)
            case .truncateLog(let zxid):
                transcript.append("\(id) truncates after \(Zxid.hex(zxid))")
                applied[id]!.removeAll { $0.zxid > zxid }
            case .saveSnapshot(let zxid):
                transcript.append("\(id) saves snapshot \(Zxid.hex(zxid))")
            case .servingStateChanged(let state):
                transcript.append("\(id) is \(state)")
            case .persistAcceptedEpoch, .persistCurrentEpoch:
                break
            }
        }
    }

    private mutating func connect(_ follower: Int64, to leader: Int64) {
        guard peers[follower]?.servingState == .synchronizing(leader: leader) else { return }
        let leaderState = peers[leader]?.servingState
        if !isolated.contains(leader), !isolated.contains(follower),
            leaderState == .synchronizing(leader: leader) || leaderState == .leading
        {
            inFlight.append(Envelope(from: leader, to: follower, delivery: .connected))
        } else {
            pendingConnections.append((follower, leader))
        }
    }

    /// The transcript lines that mention learner traffic between these two servers, in order.
    func conversation(_ a: Int64, _ b: Int64) -> [String] {
        transcript.filter { $0.hasPrefix("\(a)->\(b) ") || $0.hasPrefix("\(b)->\(a) ") }
    }
}
