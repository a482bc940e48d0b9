import DequeModule

/// One server's part in fast leader election and Zab, as a value: inputs in, effects out, no I/O, no clock
/// (time arrives as `now` in `tick`), no randomness. Handlers are named after the Zab actions they implement.
///
/// History bookkeeping: `lastLoggedZxid` is the last txn handed to the log (durable or on its way),
/// `lastDurableZxid` the last the log reported durable, `lastDeliveredZxid` the last applied by the replica.
/// Txns logged but not yet delivered wait in `uncommitted`; the last delivered ones stay in `committedLog` so a
/// leader can bring learners up to date by DIFF.
public struct QuorumPeer<Txn: Sendable>: Sendable {
    public typealias Effect = ConsensusEffect<Txn>

    public let configuration: ConsensusConfiguration
    public internal(set) var acceptedEpoch: Int64
    public internal(set) var currentEpoch: Int64
    public internal(set) var lastLoggedZxid: Int64
    public internal(set) var lastDurableZxid: Int64
    public internal(set) var lastDeliveredZxid: Int64
    /// The election round, kept across elections as ZooKeeper's logical clock is.
    public internal(set) var logicalClock: Int64 = 0
    /// The vote this server answers LOOKING peers with once it has left the election.
    public internal(set) var currentVote: Vote
    public internal(set) var servingState: ServingState = .looking

    var now: Int64 = 0
    var role: Role = .idle
    var uncommitted: Deque<(zxid: Int64, txn: Txn)> = []
    var committedLog: Deque<(zxid: Int64, txn: Txn)> = []

    enum Role: Sendable {
        case idle
        case looking(ElectionRound)
        case leading(LeaderState<Txn>)
        case following(FollowerState)
    }

    /// `recentHistory` holds the last committed txns the recovered log ends with (up to `committedLogCount`),
    /// so this server can catch learners up by DIFF if it becomes leader. Recovery applies every logged txn, so
    /// everything logged counts as delivered.
    public init(
        configuration: ConsensusConfiguration, acceptedEpoch: Int64, currentEpoch: Int64, lastLoggedZxid: Int64,
        recentHistory: [(zxid: Int64, txn: Txn)] = []
    ) {
        self.configuration = configuration
        self.acceptedEpoch = acceptedEpoch
        self.currentEpoch = currentEpoch
        self.lastLoggedZxid = lastLoggedZxid
        self.lastDurableZxid = lastLoggedZxid
        self.lastDeliveredZxid = lastLoggedZxid
        self.committedLog = Deque(recentHistory.suffix(configuration.committedLogCount))
        self.currentVote = Vote(leader: configuration.myId, zxid: lastLoggedZxid, electionEpoch: 0, peerEpoch: currentEpoch)
    }

    enum RoleKind: Equatable {
        case idle, looking, leading
        case following(leader: Int64)
    }

    /// The role without its state. Handlers switch on this rather than on `role`: a switch keeps its subject
    /// alive to the end, and a live copy of the leader's state makes every change to it copy its queues.
    var roleKind: RoleKind {
        switch role {
        case .idle: .idle
        case .looking: .looking
        case .leading: .leading
        case .following(let state): .following(leader: state.leader)
        }
    }

    var myId: Int64 { configuration.myId }
    var membership: QuorumMembership { configuration.membership }

    // MARK: - Inputs

    /// Starts the first election.
    public mutating func start(now: Int64) -> [Effect] {
        self.now = now
        var effects: [Effect] = []
        lookForLeader(effects: &effects)
        return effects
    }

    /// Time passed; `now` is the shell's monotonic clock in milliseconds and never goes backwards.
    public mutating func tick(now: Int64) -> [Effect] {
        self.now = max(self.now, now)
        var effects: [Effect] = []
        switch roleKind {
        case .idle: break
        case .looking: electionTick(effects: &effects)
        case .leading: leaderTick(effects: &effects)
        case .following: followerTick(effects: &effects)
        }
        return effects
    }

    public mutating func receiveNotification(_ notification: Notification, from sender: Int64) -> [Effect] {
        var effects: [Effect] = []
        guard membership.isMember(sender), sender != myId else { return effects }
        receiveNotification(notification, from: sender, effects: &effects)
        return effects
    }

    /// A learner-port message from `sender` over the connection the shell keeps with it.
    public mutating func receive(_ message: LearnerMessage<Txn>, from sender: Int64) -> [Effect] {
        var effects: [Effect] = []
        switch roleKind {
        case .leading: leaderReceive(message, from: sender, effects: &effects)
        case .following(let leader) where leader == sender: followerReceive(message, effects: &effects)
        default: effects.append(.disconnect(sender, reason: "not expecting learner messages from \(sender)"))
        }
        return effects
    }

    /// The learner connection to `leader` is open.
    public mutating func connectedToLeader(_ leader: Int64) -> [Effect] {
        var effects: [Effect] = []
        followerConnected(to: leader, effects: &effects)
        return effects
    }

    /// The learner connection with `peer` closed or could not be opened.
    public mutating func connectionLost(_ peer: Int64) -> [Effect] {
        var effects: [Effect] = []
        switch roleKind {
        case .leading: leaderLostLearner(peer, effects: &effects)
        case .following(let leader) where leader == peer:
            restartElection(reason: "lost the connection to leader \(peer)", effects: &effects)
        default: break
        }
        return effects
    }

    /// Every txn up to `zxid` is durable in this server's log.
    public mutating func logAppended(through zxid: Int64) -> [Effect] {
        var effects: [Effect] = []
        guard zxid > lastDurableZxid else { return effects }
        lastDurableZxid = min(zxid, lastLoggedZxid)
        switch roleKind {
        case .leading: leaderLogAppended(effects: &effects)
        case .following: followerLogAppended(effects: &effects)
        default: break
        }
        return effects
    }

    // MARK: - Shared history steps

    /// Hands a txn to the log.
    mutating func log(_ zxid: Int64, _ txn: Txn, effects: inout [Effect]) {
        lastLoggedZxid = zxid
        uncommitted.append((zxid, txn))
        effects.append(.appendToLog(zxid: zxid, txn))
    }

    /// Applies every logged txn up to `zxid`, in order, and remembers it for DIFFs.
    mutating func deliver(through zxid: Int64, effects: inout [Effect]) {
        while !uncommitted.isEmpty, uncommitted[0].zxid <= zxid {
            let first = uncommitted.removeFirst()
            lastDeliveredZxid = first.zxid
            committedLog.append(first)
            if committedLog.count > configuration.committedLogCount { committedLog.removeFirst() }
            effects.append(.deliver(zxid: first.zxid, first.txn))
        }
    }

    mutating func setServingState(_ state: ServingState, effects: inout [Effect]) {
        guard state != servingState else { return }
        servingState = state
        effects.append(.servingStateChanged(state))
    }
}
