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

/// The leader's learners in server-id order: everything sent to "every learner" goes out in the same order on
/// every run without sorting on the broadcast path, and a handful of ids is found faster by a scan than by hashing.
struct LearnerTable: Sendable, Sequence {
    typealias Element = (key: Int64, value: LearnerHandle)

    private var entries: [Element] = []

    var ids: [Int64] { entries.map(\.key) }

    subscript(sid: Int64) -> LearnerHandle? {
        get { entries.first(where: { $0.key == sid })?.value }
        set {
            let position = entries.firstIndex(where: { $0.key >= sid }) ?? entries.endIndex
            let present = position < entries.endIndex && entries[position].key == sid
            switch (newValue, present) {
            case (let handle?, true): entries[position].value = handle
            case (let handle?, false): entries.insert((sid, handle), at: position)
            case (nil, true): entries.remove(at: position)
            case (nil, false): break
            }
        }
    }

    func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }
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
    var learners = LearnerTable()
    var outstanding: Deque<OutstandingProposal<Txn>> = []
    var lastProposed: Int64 = 0
    /// Forwarded `sync`s waiting for the commit of the proposal that was last when they arrived.
    var pendingSyncs: Deque<(zxid: Int64, learner: Int64)> = []
    var nextPingAt: Int64
}
