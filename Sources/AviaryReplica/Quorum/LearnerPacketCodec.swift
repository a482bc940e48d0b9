import AviaryConsensus
import AviaryWire
import NIOCore

/// Translates between the consensus core's learner messages and ZooKeeper's `QuorumPacket`s, with the field
/// values a ZooKeeper 3.8 peer writes (checked against captured traffic).
public enum LearnerPacketCodec {
    /// `lastZxid` is the leader's last proposed zxid, which ZooKeeper puts in its PINGs.
    public static func packet(for message: LearnerMessage<Txn>, myId: Int64, lastZxid: Int64) -> QuorumPacket {
        switch message {
        case .learnerInfo(let acceptedEpoch, let isObserver):
            return QuorumPacket(
                isObserver ? .observerInfo : .followerInfo, zxid: Zxid.make(epoch: acceptedEpoch, counter: 0),
                data: LearnerInfo(serverId: myId, configVersion: 0).encoded())
        case .ackEpoch(let currentEpoch, let lastLoggedZxid):
            return QuorumPacket(.ackEpoch, zxid: lastLoggedZxid, data: AckEpochData(currentEpoch: Int32(truncatingIfNeeded: currentEpoch)).encoded())
        case .ack(let zxid):
            return QuorumPacket(.ack, zxid: zxid)
        case .leaderInfo(let newEpoch):
            return QuorumPacket(.leaderInfo, zxid: Zxid.make(epoch: newEpoch, counter: 0), data: LeaderInfoData().encoded())
        case .diff(let zxid):
            return QuorumPacket(.diff, zxid: zxid)
        case .trunc(let zxid):
            return QuorumPacket(.trunc, zxid: zxid)
        case .snap(let zxid):
            return QuorumPacket(.snap, zxid: zxid)
        case .proposal(let zxid, let txn):
            return QuorumPacket(.proposal, zxid: zxid, data: txn.encoded())
        case .commit(let zxid):
            return QuorumPacket(.commit, zxid: zxid)
        case .inform(let zxid, let txn):
            return QuorumPacket(.inform, zxid: zxid, data: txn.encoded())
        case .newLeader(let zxid):
            // ZooKeeper parses a configuration here only for dynamic reconfiguration, which Aviary leaves off.
            return QuorumPacket(.newLeader, zxid: zxid)
        case .upToDate:
            return QuorumPacket(.upToDate, zxid: -1)
        case .sync:
            return QuorumPacket(.sync, zxid: 0)
        case .ping:
            return QuorumPacket(.ping, zxid: lastZxid)
        }
    }

    /// A learner's PING reply echoes the leader's zxid and lists the sessions its clients touched.
    public static func pingReply(zxid: Int64, touches: SessionTouches) -> QuorumPacket {
        QuorumPacket(.ping, zxid: zxid, data: touches.encoded())
    }

    public static func decode(_ packet: QuorumPacket) throws(LearnerPacketError) -> LearnerPacket {
        guard let type = packet.packetType else {
            throw LearnerPacketError(description: "unknown quorum packet type \(packet.type)")
        }
        let zxid = packet.zxid
        do {
            switch type {
            case .followerInfo, .observerInfo:
                let info = LearnerInfo.decodeLeniently(packet.data)
                return .learnerInfo(
                    serverId: info.serverId,
                    .learnerInfo(acceptedEpoch: Zxid.epoch(of: zxid), isObserver: type == .observerInfo))
            case .ackEpoch:
                let data = try record(AckEpochData.self, in: packet)
                return .consensus(.ackEpoch(currentEpoch: Int64(data.currentEpoch), lastLoggedZxid: zxid))
            case .ack: return .consensus(.ack(zxid: zxid))
            case .leaderInfo: return .consensus(.leaderInfo(newEpoch: Zxid.epoch(of: zxid)))
            case .diff: return .consensus(.diff(lastCommittedZxid: zxid))
            case .trunc: return .consensus(.trunc(zxid: zxid))
            case .snap: return .consensus(.snap(zxid: zxid))
            case .proposal: return .consensus(.proposal(zxid: zxid, try txn(in: packet)))
            case .commit: return .consensus(.commit(zxid: zxid))
            case .inform: return .consensus(.inform(zxid: zxid, try txn(in: packet)))
            case .newLeader: return .consensus(.newLeader(zxid: zxid))
            case .upToDate: return .consensus(.upToDate)
            case .sync: return .consensus(.sync)
            case .ping:
                guard packet.data != nil else { return .consensus(.ping) }
                return .pingReply(try record(SessionTouches.self, in: packet))
            case .request:
                return .forwardedRequest(try record(ForwardedRequest.self, in: packet), authInfo: packet.authInfo ?? [])
            case .revalidate:
                // The same type travels both ways: 12 bytes ask, 9 bytes answer.
                if packet.data?.readableBytes == 9 { return .revalidated(try record(RevalidateReply.self, in: packet)) }
                return .revalidate(try record(RevalidateRequest.self, in: packet))
            case .commitAndActivate, .informAndActivate:
                throw LearnerPacketError(description: "\(type) is part of dynamic reconfiguration, which Aviary does not enable")
            }
        } catch let error as LearnerPacketError {
            throw error
        } catch {
            throw LearnerPacketError(description: "malformed \(type) packet: \(error)")
        }
    }

    private static func record<R: JuteRecord>(_: R.Type, in packet: QuorumPacket) throws -> R {
        guard let data = packet.data else {
            throw LearnerPacketError(description: "\(packet.packetType.map { "\($0)" } ?? "packet") without data")
        }
        return try R.decode(from: data)
    }

    private static func txn(in packet: QuorumPacket) throws -> Txn {
        guard let data = packet.data else { throw LearnerPacketError(description: "proposal without a txn") }
        return try Txn.decode(from: data)
    }

}
