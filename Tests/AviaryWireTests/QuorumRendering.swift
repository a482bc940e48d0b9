import AviaryWire
import NIOCore
import Testing

/// Renders decoded quorum messages in the notation of the capture tool's `.txt` files (grammar in
/// `Fixtures/quorum/capture.py`), so Aviary's decoding can be compared line by line with an independent one.
/// Every payload it looks into is decoded with Aviary's record for it and must re-encode to the same bytes.
enum QuorumRendering {
    static func hex(_ value: Int64) -> String { String(UInt64(bitPattern: value), radix: 16) }
    static func hex(_ value: Int32) -> String { hex(Int64(value)) }

    static func election(_ item: ElectionInbound) throws -> String {
        switch item {
        case .handshake(let handshake):
            let addresses = handshake.addresses.map(\.description).joined(separator: "|")
            switch handshake.protocolVersion {
            case nil: return "handshake legacy sid=\(handshake.serverId)"
            case .v1: return "handshake v1 sid=\(handshake.serverId) addresses=\(addresses)"
            case .v2: return "handshake v2 sid=\(handshake.serverId) addresses=\(addresses)"
            }
        case .message(let message):
            let n = try ElectionNotification.decode(from: message)
            let state = n.knownState?.description ?? "\(n.state)"
            return "notification state=\(state) leader=\(n.leader) zxid=0x\(hex(n.zxid))"
                + " electionEpoch=0x\(hex(n.electionEpoch)) peerEpoch=0x\(hex(n.peerEpoch)) version=\(n.version)"
                + " config=\(n.config.count)"
        }
    }

    static func learner(_ item: LearnerStreamItem) throws -> String {
        switch item {
        case .packet(let packet):
            let name = packet.packetType?.description ?? "type\(packet.type)"
            let data = packet.data.map { "\($0.readableBytes)" } ?? "null"
            let auth = packet.authInfo.map { $0.map(\.description).joined(separator: ",") } ?? "null"
            let line = "\(name) zxid=0x\(hex(packet.zxid)) data=\(data) auth=\(auth)"
            guard let payload = packet.data, let type = packet.packetType,
                let detail = try detail(type, payload)
            else { return line }
            return line + " " + detail
        case .snapshot(let snapshot):
            return try SnapshotOutline(snapshot).rendering
        }
    }

    private static func detail(_ type: QuorumPacketType, _ data: ByteBuffer) throws -> String? {
        switch type {
        case .followerInfo, .observerInfo:
            let info = try checkedRoundTrip(LearnerInfo.self, data)
            let lenient = LearnerInfo.decodeLeniently(data)
            #expect(lenient.serverId == info.serverId && lenient.protocolVersion == info.protocolVersion)
            #expect(lenient.configVersion == info.configVersion)
            return "learner=\(info.serverId)/0x\(hex(info.protocolVersion))/0x\(hex(info.configVersion))"
        case .leaderInfo:
            return "protocol=0x\(hex(try checkedRoundTrip(LeaderInfoData.self, data).protocolVersion))"
        case .ackEpoch:
            return "currentEpoch=\(try checkedRoundTrip(AckEpochData.self, data).currentEpoch)"
        case .proposal, .inform:
            let txn = try Txn.decode(from: data)
            var reencoded = ByteBuffer()
            txn.encode(to: &reencoded)
            #expect(reencoded == data, "txn re-encoding")
            let header = txn.header
            return "txn=\(header.type)/0x\(hex(header.clientId))/\(header.cxid)/0x\(hex(header.zxid))"
        case .ping:
            let touches = try checkedRoundTrip(SessionTouches.self, data).touches
            let text = touches.map { "0x\(hex($0.sessionId)):\($0.timeoutMillis)" }.joined(separator: ",")
            return "touches=" + (text.isEmpty ? "none" : text)
        case .revalidate where data.readableBytes == 12:
            let request = try checkedRoundTrip(RevalidateRequest.self, data)
            return "session=0x\(hex(request.sessionId))/timeout=\(request.timeoutMillis)"
        case .revalidate where data.readableBytes == 9:
            let reply = try checkedRoundTrip(RevalidateReply.self, data)
            return "session=0x\(hex(reply.sessionId))/valid=\(reply.valid)"
        case .request:
            let request = try checkedRoundTrip(ForwardedRequest.self, data)
            return "session=0x\(hex(request.sessionId))/cxid=\(request.cxid)/op=\(request.type)"
                + "/body=\(request.request.readableBytes)"
        case .commitAndActivate:
            return "suggestedLeader=\(try checkedRoundTrip(CommitAndActivateData.self, data).suggestedLeaderId)"
        default:
            return nil
        }
    }

    /// Decodes `data` as `Record`, requiring that it fills the data exactly and re-encodes to the same bytes.
    static func checkedRoundTrip<Record: JuteRecord>(_ type: Record.Type, _ data: ByteBuffer) throws -> Record {
        let record = try Record.decode(from: data)
        #expect(
            Array(record.encoded().readableBytesView) == Array(data.readableBytesView),
            "\(Record.self) re-encodes to other bytes")
        return record
    }
}

/// Counts what a snapshot sent after SNAP holds, by decoding it with the records (not with the stream
/// decoder's scanner, which only finds where it ends).
struct SnapshotOutline {
    var bytes: Int
    var sessions: Int
    var aclEntries: Int
    var nodes: Int

    init(_ snapshot: ByteBuffer) throws {
        bytes = snapshot.readableBytes
        var reader = JuteReader(snapshot)
        sessions = Int(try reader.readInt("sessions"))
        for _ in 0..<sessions {
            _ = try reader.readLong("session")
            _ = try reader.readInt("timeout")
        }
        aclEntries = Int(try reader.readInt("acls"))
        for _ in 0..<aclEntries {
            _ = try reader.readLong("reference")
            _ = try reader.readACLs()
        }
        nodes = 0
        while try reader.readString("path") != "/" {
            _ = try reader.readBuffer("data")
            _ = try reader.readLong("acl")
            _ = try StatPersisted(from: &reader)
            nodes += 1
        }
        try reader.expectEnd()
    }

    var rendering: String { "snapshot bytes=\(bytes) sessions=\(sessions) acls=\(aclEntries) nodes=\(nodes)" }
}
