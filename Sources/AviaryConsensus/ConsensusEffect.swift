/// What a server is doing in the ensemble, as the replica needs to know it: whether it may serve clients and
/// where writes go.
public enum ServingState: Sendable, Equatable {
    /// Electing: no leader known; clients are not served.
    case looking
    /// A leader is known but this server is not in sync with it yet.
    case synchronizing(leader: Int64)
    case leading
    case following(leader: Int64)
    case observing(leader: Int64)
}

/// What the consensus core asks its shell to do. The shell carries effects out in order. Barrier effects
/// (epochs, truncation, snapshot) complete before the next effect runs; `appendToLog` is asynchronous and reports
/// back through `logAppended(through:)`.
public enum ConsensusEffect<Txn: Sendable>: Sendable {
    case sendNotification(to: Int64, Notification)
    case send(to: Int64, LearnerMessage<Txn>)
    /// Open the learner connection to this leader; report `connectedToLeader` or `connectionLost`.
    case connectToLeader(Int64)
    /// Close the learner connection with this peer.
    case disconnect(Int64, reason: String)
    /// Barrier: write the epoch file (tmp + rename) before anything that follows.
    case persistAcceptedEpoch(Int64)
    case persistCurrentEpoch(Int64)
    /// Barrier: drop logged txns after `zxid`. Any that were applied must be undone by rebuilding the state from
    /// disk up to `zxid`.
    case truncateLog(after: Int64)
    /// Barrier: the replica installed the leader's snapshot at `zxid`; write it durably as a snapshot file.
    case saveSnapshot(zxid: Int64)
    /// Make this txn durable after all earlier appends, then report `logAppended(through:)`.
    case appendToLog(zxid: Int64, Txn)
    /// Apply this committed txn. Deliveries come in zxid order.
    case deliver(zxid: Int64, Txn)
    case servingStateChanged(ServingState)
}

extension ConsensusEffect: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sendNotification(let to, let notification): "notify \(to) \(notification)"
        case .send(let to, let message): "send \(to) \(message)"
        case .connectToLeader(let leader): "connect to leader \(leader)"
        case .disconnect(let peer, let reason): "disconnect \(peer): \(reason)"
        case .persistAcceptedEpoch(let epoch): "acceptedEpoch=\(epoch)"
        case .persistCurrentEpoch(let epoch): "currentEpoch=\(epoch)"
        case .truncateLog(let zxid): "truncate after \(Zxid.hex(zxid))"
        case .saveSnapshot(let zxid): "save snapshot \(Zxid.hex(zxid))"
        case .appendToLog(let zxid, _): "append \(Zxid.hex(zxid))"
        case .deliver(let zxid, _): "deliver \(Zxid.hex(zxid))"
        case .servingStateChanged(let state): "state \(state)"
        }
    }
}
