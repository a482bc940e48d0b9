/// The consensus part of ZooKeeper's learner-port packets, between the leader and one learner. The shell
/// encodes them as `QuorumPacket`s; a SNAP travels with the snapshot the replica attaches.
public enum LearnerMessage<Txn: Sendable>: Sendable {
    // Learner to leader.
    /// FOLLOWERINFO / OBSERVERINFO: the learner's accepted epoch.
    case learnerInfo(acceptedEpoch: Int64, isObserver: Bool)
    /// ACKEPOCH: the learner's current epoch (-1 when it had already accepted the new one) and last logged zxid.
    case ackEpoch(currentEpoch: Int64, lastLoggedZxid: Int64)
    case ack(zxid: Int64)

    // Leader to learner.
    case leaderInfo(newEpoch: Int64)
    case diff(lastCommittedZxid: Int64)
    case trunc(zxid: Int64)
    case snap(zxid: Int64)
    case proposal(zxid: Int64, Txn)
    case commit(zxid: Int64)
    /// Observers get each committed txn whole instead of PROPOSAL + COMMIT.
    case inform(zxid: Int64, Txn)
    case newLeader(zxid: Int64)
    case upToDate
    /// Answers a forwarded `sync` once every earlier proposal has been committed to that learner.
    case sync

    // Both ways: the leader's heartbeat and the learner's reply.
    case ping
}

extension LearnerMessage: CustomStringConvertible {
    public var description: String {
        switch self {
        case .learnerInfo(let epoch, let isObserver): "\(isObserver ? "OBSERVERINFO" : "FOLLOWERINFO") accepted=\(epoch)"
        case .ackEpoch(let epoch, let zxid): "ACKEPOCH current=\(epoch) last=\(Zxid.hex(zxid))"
        case .ack(let zxid): "ACK \(Zxid.hex(zxid))"
        case .leaderInfo(let epoch): "LEADERINFO epoch=\(epoch)"
        case .diff(let zxid): "DIFF \(Zxid.hex(zxid))"
        case .trunc(let zxid): "TRUNC \(Zxid.hex(zxid))"
        case .snap(let zxid): "SNAP \(Zxid.hex(zxid))"
        case .proposal(let zxid, _): "PROPOSAL \(Zxid.hex(zxid))"
        case .commit(let zxid): "COMMIT \(Zxid.hex(zxid))"
        case .inform(let zxid, _): "INFORM \(Zxid.hex(zxid))"
        case .newLeader(let zxid): "NEWLEADER \(Zxid.hex(zxid))"
        case .upToDate: "UPTODATE"
        case .sync: "SYNC"
        case .ping: "PING"
        }
    }
}
