/// A server's role, numbered as on the election wire.
public enum PeerState: Int32, Sendable, Equatable {
    case looking = 0
    case following = 1
    case leading = 2
    case observing = 3
}

/// Whom a server backs for leader and why: the candidate's last zxid and epoch decide the order.
public struct Vote: Sendable, Equatable, CustomStringConvertible {
    public var leader: Int64
    public var zxid: Int64
    public var electionEpoch: Int64
    public var peerEpoch: Int64

    public init(leader: Int64, zxid: Int64, electionEpoch: Int64, peerEpoch: Int64) {
        self.leader = leader
        self.zxid = zxid
        self.electionEpoch = electionEpoch
        self.peerEpoch = peerEpoch
    }

    public var description: String {
        "(leader \(leader), zxid \(Zxid.hex(zxid)), round \(electionEpoch), epoch \(peerEpoch))"
    }

    /// Fast leader election's total order: the newer epoch wins, then the longer history, then the higher id.
    /// A candidate that cannot vote never wins.
    static func isBetter(
        candidate: Int64, zxid: Int64, peerEpoch: Int64, than current: Vote, membership: QuorumMembership
    ) -> Bool {
        guard membership.isParticipant(candidate) else { return false }
        if peerEpoch != current.peerEpoch { return peerEpoch > current.peerEpoch }
        if zxid != current.zxid { return zxid > current.zxid }
        return candidate > current.leader
    }
}

/// An election message: the sender's state and the vote it currently backs.
public struct Notification: Sendable, Equatable, CustomStringConvertible {
    public var state: PeerState
    public var vote: Vote

    public init(state: PeerState, vote: Vote) {
        self.state = state
        self.vote = vote
    }

    public var description: String { "\(state) \(vote)" }
}
