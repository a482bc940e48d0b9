/// The `type` of a `QuorumPacket`: ZooKeeper's `Leader` constants, with the direction each travels in.
public enum QuorumPacketType: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Learner → leader: a client write forwarded for ordering (data: `ForwardedRequest`).
    case request = 1
    /// Leader → follower: a txn to log (data: the txn as logged).
    case proposal = 2
    /// Follower → leader: the proposal with this zxid is durable.
    case ack = 3
    /// Leader → follower: apply everything up to this zxid.
    case commit = 4
    /// Both ways: a heartbeat; the learner's reply carries the sessions its clients touched (`SessionTouches`).
    case ping = 5
    /// Both ways: is a session that reconnected here still alive (`RevalidateRequest` / `RevalidateReply`).
    case revalidate = 6
    /// Leader → learner: a forwarded `sync` has passed every earlier commit.
    case sync = 7
    /// Leader → observer: a committed txn (observers see no PROPOSAL or COMMIT).
    case inform = 8
    /// Leader → follower: commit a reconfig and activate it (data: `CommitAndActivateData`).
    case commitAndActivate = 9
    /// Leader → learner: the end of synchronization; zxid = newEpoch << 32, data = the config text.
    case newLeader = 10
    /// Follower → leader: the first packet (data: `LearnerInfo`), zxid = acceptedEpoch << 32.
    case followerInfo = 11
    /// Leader → learner: synchronized; start serving clients.
    case upToDate = 12
    /// Leader → learner: PROPOSAL/COMMIT pairs follow.
    case diff = 13
    /// Leader → learner: truncate the log back to this zxid.
    case trunc = 14
    /// Leader → learner: a serialized snapshot and the "BenWasHere" signature follow, outside any packet.
    case snap = 15
    /// Observer → leader: like FOLLOWERINFO.
    case observerInfo = 16
    /// Leader → learner: the proposed epoch (zxid = newEpoch << 32, data: `LeaderInfoData`).
    case leaderInfo = 17
    /// Learner → leader: the epoch is accepted (data: `AckEpochData`), zxid = the learner's last logged zxid.
    case ackEpoch = 18
    /// Leader → observer: INFORM for a reconfig, with the suggested leader in front of the txn.
    case informAndActivate = 19

    /// ZooKeeper's name for the type, as its logs print it.
    public var description: String {
        switch self {
        case .request: "REQUEST"
        case .proposal: "PROPOSAL"
        case .ack: "ACK"
        case .commit: "COMMIT"
        case .ping: "PING"
        case .revalidate: "REVALIDATE"
        case .sync: "SYNC"
        case .inform: "INFORM"
        case .commitAndActivate: "COMMITANDACTIVATE"
        case .newLeader: "NEWLEADER"
        case .followerInfo: "FOLLOWERINFO"
        case .upToDate: "UPTODATE"
        case .diff: "DIFF"
        case .trunc: "TRUNC"
        case .snap: "SNAP"
        case .observerInfo: "OBSERVERINFO"
        case .leaderInfo: "LEADERINFO"
        case .ackEpoch: "ACKEPOCH"
        case .informAndActivate: "INFORMANDACTIVATE"
        }
    }
}
