import AviaryConsensus
import AviaryReplica
import AviaryWire
import Foundation
import NIOCore
import Testing

/// The consensus messages mapped onto ZooKeeper's QuorumPackets must be the packets a ZooKeeper 3.8 peer
/// writes: every packet of a captured follower sync and broadcast decodes, and re-encodes to the same packet.
@Suite struct LearnerPacketCodecTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../AviaryWireTests/Fixtures/quorum")

    /// Every learner-port stream the capture kept, as its manifest lists them.
    static let learnerStreams: [String] = {
        guard let manifest = try? String(contentsOf: fixtures.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        else { return [] }
        return manifest.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: "\t").map(String.init)
            return columns.count > 1 && columns[1] == "learner" ? columns[0] : nil
        }
    }()

    static func capturedPackets(_ name: String) throws -> [QuorumPacket] {
        let hex = try String(contentsOf: fixtures.appendingPathComponent("\(name).hex"), encoding: .utf8)
            .filter { !$0.isWhitespace }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = LearnerStreamDecoder(packetBytesMax: 1 << 20)
        var packets: [QuorumPacket] = []
        while let item = try decoder.next(from: &buffer) {
            if case .packet(let packet) = item { packets.append(packet) }
        }
        return packets
    }

    @Test func captureHasLearnerStreams() {
        #expect(Self.learnerStreams.count >= 6)
    }

    @Test(arguments: learnerStreams)
    func capturedPacketsRoundTrip(stream: String) throws {
        let packets = try Self.capturedPackets(stream)
        #expect(!packets.isEmpty)
        var myId: Int64 = 0
        var checked = 0
        for packet in packets {
            switch try LearnerPacketCodec.decode(packet) {
            case .learnerInfo(let serverId, let message):
                myId = serverId ?? 0
                #expect(LearnerPacketCodec.packet(for: message, myId: myId, lastZxid: 0) == packet)
                checked += 1
            case .consensus(.newLeader(let zxid)):
                // ZooKeeper attaches its configuration text; Aviary sends none, and ZooKeeper accepts that.
                #expect(packet.zxid == zxid)
            case .consensus(let message):
                #expect(LearnerPacketCodec.packet(for: message, myId: myId, lastZxid: packet.zxid) == packet, "\(message)")
                checked += 1
            case .pingReply(let touches):
                #expect(LearnerPacketCodec.pingReply(zxid: packet.zxid, touches: touches) == packet)
                checked += 1
            case .forwardedRequest(let request, let authInfo):
                #expect(request.sessionId != 0)
                #expect(authInfo == (packet.authInfo ?? []))
                checked += 1
            case .revalidate, .revalidated:
                checked += 1
            }
        }
        #expect(checked >= packets.count - 1)
    }

    @Test func proposalCarriesTheTxnAsALogRecordDoes() throws {
        let txn = Txn(
            header: TxnHeader(clientId: 0x42, cxid: 7, zxid: Zxid.make(epoch: 3, counter: 9), time: 1_700_000_000_000, type: OpCode.delete.rawValue),
            body: .delete(path: "/a", opCode: .delete))
        let packet = LearnerPacketCodec.packet(for: .proposal(zxid: txn.zxid, txn), myId: 1, lastZxid: 0)
        guard case .consensus(.proposal(let zxid, let decoded)) = try LearnerPacketCodec.decode(packet) else {
            Issue.record("not a proposal")
            return
        }
        #expect(zxid == txn.zxid)
        #expect(decoded == txn)
    }

    @Test func unknownPacketTypeIsRefusedWithItsNumber() {
        #expect(throws: LearnerPacketError.self) { try LearnerPacketCodec.decode(QuorumPacket(type: 42, zxid: 0)) }
    }
}
