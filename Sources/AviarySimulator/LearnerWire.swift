import AviaryReplica
import AviaryWire

/// Learner-port packets as the real shell puts them on the wire (`EnsembleLinks.quorumPacket`) and reads them
/// back (`LearnerPacketCodec.decode`): the simulation carries `QuorumPacket`s, so the mapping both ways is part
/// of what it runs.
enum LearnerWire {
    /// `lastZxid` is the sender's last logged zxid, which a leader's PING carries; `lastLeaderPingZxid` is what a
    /// learner's PING reply echoes.
    static func packet(for packet: LearnerPacket, myId: Int64, lastZxid: Int64, lastLeaderPingZxid: Int64) -> QuorumPacket {
        switch packet {
        case .consensus(let message), .learnerInfo(_, let message):
            LearnerPacketCodec.packet(for: message, myId: myId, lastZxid: lastZxid)
        case .pingReply(let touches):
            LearnerPacketCodec.pingReply(zxid: lastLeaderPingZxid, touches: touches)
        case .forwardedRequest(let request, let authInfo):
            QuorumPacket(.request, zxid: -1, data: request.encoded(), authInfo: authInfo)
        case .revalidate(let request):
            QuorumPacket(.revalidate, zxid: -1, data: request.encoded())
        case .revalidated(let reply):
            QuorumPacket(.revalidate, zxid: -1, data: reply.encoded())
        }
    }
}
