import DequeModule

/// The leader's view of one learner connection.
struct LearnerHandle: Sendable {
    enum Stage: Sendable, Equatable {
        /// FOLLOWERINFO arrived; the new epoch is not decided yet.
        case awaitingEpoch
        /// LEADERINFO sent.
        case awaitingAckEpoch
        /// ACKEPOCH arrived; synchronization starts once a quorum has acknowledged the epoch.
        case awaitingSync
        /// Sync packets and NEWLEADER sent; new proposals and commits are forwarded from here on.
        case awaitingNewLeaderAck
        /// NEWLEADER acknowledged; UPTODATE goes out once the leader has its quorum.
        case awaitingUpToDate
        case active
    }

    var isObserver: Bool
    var stage: Stage
    var lastHeard: Int64
    var peerLastZxid: Int64 = -1

    /// Whether proposals and commits go to this learner.
    var isForwarding: Bool {
        switch stage {
        case .awaitingNewLeaderAck, .awaitingUpToDate, .active: true
        case .awaitingEpoch, .awaitingAckEpoch, .awaitingSync: false
        }
    }
}

struct OutstandingProposal<Txn: Sendable>: Sendable {
    var zxid: Int64
    var txn: Txn
    var acks: Set<Int64> = []
}

/// Zab's leader: discovery (agree on a new epoch), synchronization (bring a quorum up to date), broadcast.
struct LeaderState<Txn: Sendable>: Sendable {
    enum Phase: Sendable, Equatable { case discovery, synchronization, broadcast }

    var phase: Phase = .discovery
    /// Discovery and synchronization must finish by this time (initLimit ticks each).
    var phaseDeadline: Int64
    /// The epoch to propose: one past every accepted epoch reported so far.
    var proposedEpoch: Int64
    var newEpoch: Int64?
    var connecting: Set<Int64> = []
    var epochAcked: Set<Int64> = []
    var newLeaderAcked: Set<Int64> = []
    /// The leader's own (currentEpoch, last zxid) when it started: a learner more recent than this is refused.
    var summary: (currentEpoch: Int64, lastZxid: Int64)
    var learners: [Int64: LearnerHandle] = [:]
    var outstanding: Deque<OutstandingProposal<Txn>> = []
    var lastProposed: Int64 = 0
    /// Forwarded `sync`s waiting for the commit of the proposal that was last when they arrived.
    var pendingSyncs: Deque<(zxid: Int64, learner: Int64)> = []
    var nextPingAt: Int64
}
