import DequeModule

/// A learner (follower or observer) of one leader.
struct FollowerState: Sendable {
    enum Stage: Sendable, Equatable {
        case connecting
        /// FOLLOWERINFO sent.
        case awaitingLeaderInfo
        /// ACKEPOCH sent; DIFF, TRUNC or SNAP comes next.
        case awaitingSyncMode
        case synchronizing
        /// NEWLEADER acknowledged.
        case awaitingUpToDate
        case active
    }

    var leader: Int64
    var stage: Stage = .connecting
    var lastHeard: Int64
    var newEpoch: Int64?
    /// NEWLEADER's zxid, while its ACK waits for everything received before it to be durable.
    var pendingNewLeaderZxid: Int64?
    /// Proposals logged but not yet acknowledged; acknowledged once durable, and only after UPTODATE.
    var unacknowledged: Deque<Int64> = []
}
