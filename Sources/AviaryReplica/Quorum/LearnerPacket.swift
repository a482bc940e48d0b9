import AviaryConsensus
import AviaryWire

/// A learner-port packet as the replica sees it: most belong to the consensus core; requests forwarded by
/// learners, session revalidation and the sessions a learner's PING reply carries belong to the replica.
public enum LearnerPacket: Sendable {
    case consensus(LearnerMessage<Txn>)
    /// FOLLOWERINFO / OBSERVERINFO: the shell learns which server is on the connection from it.
    case learnerInfo(serverId: Int64?, LearnerMessage<Txn>)
    /// A learner's answer to a PING: the consensus core sees a PING, the replica the touched sessions.
    case pingReply(SessionTouches)
    case forwardedRequest(ForwardedRequest, authInfo: [Id])
    case revalidate(RevalidateRequest)
    case revalidated(RevalidateReply)
}

public struct LearnerPacketError: Error, CustomStringConvertible {
    public var description: String
}
