import AviaryWire
import NIOCore
import Testing

/// A snapshot as a leader streams it after SNAP, built field by field for the tests.
struct SnapshotStream {
    var sessions: [(id: Int64, timeout: Int32)] = [(0x1000_0000_0000_0001, 6000), (0x2000_0000_0000_0002, 30000)]
    var acls: [(reference: Int64, list: [ACL])] = [(1, ACL.openUnsafe), (2, ACL.creatorAll)]
    var nodes: [(path: String, data: [UInt8]?)] = [
        ("", []), ("/zookeeper", []), ("/zookeeper/quota", nil), ("/a", Array(repeating: 0x61, count: 300)),
        ("/a/b", [1]),
    ]

    static let stat = StatPersisted(
        czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7, ephemeralOwner: 0, pzxid: 8)

    var bytes: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(Int32(sessions.count))
        for session in sessions {
            buffer.writeJuteLong(session.id)
            buffer.writeJuteInt(session.timeout)
        }
        buffer.writeJuteInt(Int32(acls.count))
        for entry in acls {
            buffer.writeJuteLong(entry.reference)
            buffer.writeJuteVector(entry.list) { buffer, acl in acl.encode(to: &buffer) }
        }
        for node in nodes {
            buffer.writeJuteString(node.path)
            buffer.writeJuteBuffer(node.data)
            buffer.writeJuteLong(-1)
            Self.stat.encode(to: &buffer)
        }
        buffer.writeJuteString("/")
        return buffer
    }
}

struct LearnerStreamDecoderTests {
    static let limit = 4096

    static func decodeByteByByte(_ stream: ByteBuffer, limit: Int = limit) throws -> [LearnerStreamItem] {
        var decoder = LearnerStreamDecoder(packetBytesMax: limit)
        var received = ByteBuffer()
        var items: [LearnerStreamItem] = []
        for byte in stream.readableBytesView {
            received.writeInteger(byte)
            while let item = try decoder.next(from: &received) { items.append(item) }
        }
        #expect(received.readableBytes == 0)
        return items
    }

    static func stream(_ items: [LearnerStreamItem]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for item in items { item.encode(to: &buffer) }
        return buffer
    }

    @Test func aSnapshotBetweenPacketsComesOutWholeAndWithoutItsSignature() throws {
        let snapshot = SnapshotStream().bytes
        let items: [LearnerStreamItem] =
            [.packet(QuorumPacket(.leaderInfo, zxid: 0x1_0000_0000, data: LeaderInfoData().encoded()))]
            + LearnerStreamItem.snapshotSync(zxid: 0x1_0000_0008, snapshot: snapshot)
            + [.packet(QuorumPacket(.newLeader, zxid: 0x1_0000_0000, data: ByteBuffer(string: "version=0"))),
               .packet(QuorumPacket(.upToDate, zxid: -1))]
        let wire = Self.stream(items)
        #expect(wire.readableBytes == items.reduce(0) { $0 + Self.stream([$1]).readableBytes })
        #expect(try Self.decodeByteByByte(wire) == items)
    }

    @Test func theSnapshotIsWrittenAfterItsSnapPacketAndBeforeTheSignature() {
        let snapshot = SnapshotStream().bytes
        let wire = Self.stream(LearnerStreamItem.snapshotSync(zxid: 7, snapshot: snapshot))
        #expect(wire.getInteger(at: 0, as: Int32.self) == QuorumPacketType.snap.rawValue)
        #expect(wire.getSlice(at: 20, length: snapshot.readableBytes) == snapshot)
        #expect(wire.getInteger(at: 20 + snapshot.readableBytes, as: Int32.self) == 10)
        #expect(wire.getString(at: 24 + snapshot.readableBytes, length: 10) == "BenWasHere")
        #expect(wire.readableBytes == 20 + snapshot.readableBytes + 14)
    }

    @Test func anEmptySnapshotStillNeedsItsTerminator() throws {
        let snapshot = SnapshotStream(sessions: [], acls: [], nodes: []).bytes
        #expect(snapshot.readableBytes == 4 + 4 + 5)
        let items = LearnerStreamItem.snapshotSync(zxid: 0, snapshot: snapshot)
        #expect(try Self.decodeByteByByte(Self.stream(items)) == items)
    }

    /// Only the one-byte path "/" ends the nodes; other one-byte paths and longer ones starting with "/" do not.
    @Test func onlyThePathSlashEndsTheSnapshot() throws {
        let snapshot = SnapshotStream(nodes: [("", nil), ("a", [1]), ("//", [0x2F]), ("/", nil)].dropLast()).bytes
        let items = LearnerStreamItem.snapshotSync(zxid: 0, snapshot: snapshot)
        #expect(try Self.decodeByteByByte(Self.stream(items)) == items)
    }

    @Test func aWrongSignatureIsRefusedWithWhatWasFound() {
        var wire = Self.stream([.packet(QuorumPacket(.snap, zxid: 0))])
        var snapshot = SnapshotStream().bytes
        wire.writeBuffer(&snapshot)
        wire.writeJuteString("BenWasHerf")
        #expect(throws: LearnerStreamError.snapshotSignature(found: "BenWasHerf")) {
            try Self.decodeByteByByte(wire)
        }
    }

    @Test func aSignatureOfAnotherLengthIsRefusedAsSoonAsItsLengthArrives() {
        var wire = Self.stream([.packet(QuorumPacket(.snap, zxid: 0))])
        var snapshot = SnapshotStream().bytes
        wire.writeBuffer(&snapshot)
        wire.writeJuteInt(0x7FFF_FFFF)
        #expect(throws: LearnerStreamError.snapshotSignatureLength(0x7FFF_FFFF)) { try Self.decodeByteByByte(wire) }
    }

    static func snapshotFollowedBy(_ tail: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var wire = stream([.packet(QuorumPacket(.snap, zxid: 0))])
        tail(&wire)
        return wire
    }

    @Test func negativeSnapshotCountsAreRefused() {
        #expect(throws: LearnerStreamError.negativeCount(field: "session", count: -1)) {
            try Self.decodeByteByByte(Self.snapshotFollowedBy { $0.writeJuteInt(-1) })
        }
        #expect(throws: LearnerStreamError.negativeCount(field: "ACL table", count: -5)) {
            try Self.decodeByteByByte(Self.snapshotFollowedBy { $0.writeJuteInt(0); $0.writeJuteInt(-5) })
        }
    }

    @Test func nullsWhereTheTreeNeedsAValueAreRefused() {
        #expect(throws: LearnerStreamError.badLength(field: "ACL list", length: -1)) {
            try Self.decodeByteByByte(
                Self.snapshotFollowedBy {
                    $0.writeJuteInt(0)
                    $0.writeJuteInt(1)
                    $0.writeJuteLong(1)
                    $0.writeJuteInt(-1)
                })
        }
        #expect(throws: LearnerStreamError.badLength(field: "path", length: -1)) {
            try Self.decodeByteByByte(
                Self.snapshotFollowedBy {
                    $0.writeJuteInt(0)
                    $0.writeJuteInt(0)
                    $0.writeJuteInt(-1)
                })
        }
    }

    /// The limit is applied to the length prefix: the bytes it announces are never waited for.
    @Test func aSnapshotFieldAboveTheLimitIsRefusedBeforeItsBytesArrive() {
        #expect(throws: LearnerStreamError.tooLarge(field: "node data", bytes: Self.limit + 1, maximum: Self.limit)) {
            try Self.decodeByteByByte(
                Self.snapshotFollowedBy {
                    $0.writeJuteInt(0)
                    $0.writeJuteInt(0)
                    $0.writeJuteString("")
                    $0.writeJuteInt(Int32(Self.limit + 1))
                })
        }
    }

    @Test func aPacketAboveTheLimitIsRefusedAsSoonAsTheLengthThatMakesItSoArrives() {
        var data = ByteBuffer()
        data.writeJuteInt(QuorumPacketType.proposal.rawValue)
        data.writeJuteLong(1)
        data.writeJuteInt(Int32(Self.limit))
        let refusal = LearnerStreamError.tooLarge(field: "packet (data)", bytes: 16 + Self.limit, maximum: Self.limit)
        #expect(throws: refusal) {
            try Self.decodeByteByByte(data)
        }
        var ids = ByteBuffer()
        ids.writeJuteInt(QuorumPacketType.request.rawValue)
        ids.writeJuteLong(-1)
        ids.writeJuteInt(-1)
        ids.writeJuteInt(Int32.max)
        #expect(throws: LearnerStreamError.self) { try Self.decodeByteByByte(ids) }
    }

    @Test func aPacketOfExactlyTheLimitIsAccepted() throws {
        let packet = QuorumPacket(
            .proposal, zxid: 1, data: ByteBuffer(repeating: 7, count: Self.limit - 20), authInfo: nil)
        #expect(packet.encoded().readableBytes == Self.limit)
        #expect(try Self.decodeByteByByte(packet.encoded()) == [.packet(packet)])
    }

    @Test(arguments: [Int32(-2), Int32.min])
    func aNegativeDataLengthOtherThanNullIsRefused(length: Int32) {
        var wire = ByteBuffer()
        wire.writeJuteInt(QuorumPacketType.ack.rawValue)
        wire.writeJuteLong(1)
        wire.writeJuteInt(length)
        #expect(throws: LearnerStreamError.badLength(field: "data", length: length)) { try Self.decodeByteByByte(wire) }
    }

    @Test func packetsWithAuthInfoAreFoundWhole() throws {
        let packet = QuorumPacket(
            .request, zxid: -1,
            data: ForwardedRequest(sessionId: 1, cxid: 2, type: 1, request: ByteBuffer(bytes: [0])).encoded(),
            authInfo: [Id(scheme: "ip", id: "127.0.0.1"), Id(scheme: "digest", id: "alice:x")])
        let items: [LearnerStreamItem] = [.packet(packet), .packet(QuorumPacket(.ping, zxid: 3, data: ByteBuffer()))]
        #expect(try Self.decodeByteByByte(Self.stream(items)) == items)
    }
}

struct ElectionFrameDecoderTests {
    static func decodeByteByByte(_ stream: ByteBuffer, expectsHandshake: Bool) throws -> [ElectionInbound] {
        var decoder = ElectionFrameDecoder(expectsHandshake: expectsHandshake)
        var received = ByteBuffer()
        var items: [ElectionInbound] = []
        for byte in stream.readableBytesView {
            received.writeInteger(byte)
            while let item = try decoder.next(from: &received) { items.append(item) }
        }
        #expect(received.readableBytes == 0)
        return items
    }

    static let notification = ElectionNotification(
        state: .looking, leader: 2, zxid: 0, electionEpoch: 1, peerEpoch: 0, config: Array("version=0".utf8))

    @Test func theAcceptingSideReadsAHandshakeThenMessages() throws {
        let handshake = ElectionHandshake.v1(serverId: 3, address: ElectionAddress(host: "127.0.0.1", port: 3888))
        var wire = handshake.encoded()
        wire.writeElectionMessage(Self.notification)
        wire.writeElectionMessage(Self.notification)
        let items = try Self.decodeByteByByte(wire, expectsHandshake: true)
        let message = ElectionInbound.message(Self.notification.encoded())
        #expect(items == [.handshake(handshake), message, message])
    }

    @Test func theDialingSideReadsMessagesOnly() throws {
        var wire = ByteBuffer()
        wire.writeElectionMessage(Self.notification)
        #expect(try Self.decodeByteByByte(wire, expectsHandshake: false) == [.message(Self.notification.encoded())])
    }

    @Test(arguments: [Int32(0), -1, Int32(512 * 1024 + 1), Int32.max])
    func aMessageLengthOutsideOneTo512KiBIsRefusedAtOnce(length: Int32) {
        var wire = ByteBuffer()
        wire.writeJuteInt(length)
        #expect(throws: ElectionWireError.messageLength(length)) {
            try Self.decodeByteByByte(wire, expectsHandshake: false)
        }
        #expect(ElectionWireError.messageLength(length).description.contains("\(length)"))
    }

    @Test(arguments: [1, 512 * 1024])
    func messageLengthsAtTheBoundsAreAccepted(length: Int) throws {
        var wire = ByteBuffer()
        wire.writeJuteInt(Int32(length))
        wire.writeRepeatingByte(0, count: length)
        var decoder = ElectionFrameDecoder(expectsHandshake: false)
        #expect(try decoder.next(from: &wire) == .message(ByteBuffer(repeating: 0, count: length)))
    }
}
