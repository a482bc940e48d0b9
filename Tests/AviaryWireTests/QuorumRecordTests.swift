import AviaryWire
import NIOCore
import Testing

/// Quorum records other than the stream decoders: notifications in all three layouts, handshakes, learner info,
/// packet payloads.
struct ElectionNotificationTests {
    static let config = Array("server.1=127.0.0.1:2888:3888:participant\nversion=0".utf8)

    /// The fixed 28-byte head every layout starts with.
    static func head(state: Int32 = 1, leader: Int64 = 5, zxid: Int64 = 0x3_0000_0007, electionEpoch: Int64 = 9)
        -> ByteBuffer
    {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(state)
        buffer.writeJuteLong(leader)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteLong(electionEpoch)
        return buffer
    }

    @Test func theCurrentLayoutRoundTripsWithItsConfig() throws {
        let notification = ElectionNotification(
            state: .leading, leader: 3, zxid: 0x2_0000_0001, electionEpoch: 4, peerEpoch: 2, config: Self.config)
        let bytes = notification.encoded()
        #expect(bytes.readableBytes == 44 + Self.config.count)
        #expect(bytes.getInteger(at: 36, as: Int32.self) == 2)
        #expect(try ElectionNotification.decode(from: bytes) == notification)
    }

    @Test func aPre34MessageTakesItsPeerEpochFromTheZxid() throws {
        let decoded = try ElectionNotification.decode(from: Self.head(zxid: 0x3_0000_0007))
        #expect(decoded.peerEpoch == 3)
        #expect(decoded.version == 0)
        #expect(decoded.config.isEmpty)
        #expect(decoded.knownState == .following)
        #expect(try ElectionNotification.decode(from: Self.head(zxid: -1)).peerEpoch == -1)
    }

    @Test(arguments: [Int32(1), 0, 2, 7])
    func a40ByteMessageCountsAsVersionZeroWhateverItsVersionFieldSays(versionField: Int32) throws {
        var message = Self.head()
        message.writeJuteLong(6)
        message.writeJuteInt(versionField)
        let decoded = try ElectionNotification.decode(from: message)
        #expect(decoded.peerEpoch == 6)
        #expect(decoded.version == 0)
        #expect(decoded.config.isEmpty)
    }

    @Test func otherLengthsReadTheVersionAndAConfigOnlyAboveVersionOne() throws {
        var versionOne = Self.head()
        versionOne.writeJuteLong(6)
        versionOne.writeJuteInt(1)
        versionOne.writeBytes([0, 0, 0, 9, 0xAA])  // 45 bytes: not the 40-byte form, and no config for version 1
        #expect(try ElectionNotification.decode(from: versionOne).version == 1)
        #expect(try ElectionNotification.decode(from: versionOne).config.isEmpty)

        var future = Self.head()
        future.writeJuteLong(6)
        future.writeJuteInt(3)
        future.writeJuteInt(Int32(Self.config.count))
        future.writeBytes(Self.config)
        future.writeBytes([1, 2, 3])  // bytes after the config are ignored, as ZooKeeper ignores them
        let decoded = try ElectionNotification.decode(from: future)
        #expect(decoded.version == 3)
        #expect(decoded.config == Self.config)
    }

    @Test func anyLayoutReencodesInTheCurrentOne() throws {
        let old = try ElectionNotification.decode(from: Self.head())
        let reencoded = old.encoded()
        #expect(reencoded.readableBytes == 44)
        var current = try ElectionNotification.decode(from: reencoded)
        #expect(current.version == ElectionNotification.currentVersion)
        current.version = 0
        #expect(current == old)
    }

    @Test func malformedMessagesAreRefusedWithTheirReason() {
        #expect(throws: ElectionWireError.notificationTooShort(bytes: 27)) {
            try ElectionNotification.decode(from: Self.head().getSlice(at: 0, length: 27)!)
        }
        var shortEpoch = Self.head()
        shortEpoch.writeBytes([0, 0])
        #expect(throws: ElectionWireError.notificationTruncated(field: "peerEpoch", bytes: 30)) {
            try ElectionNotification.decode(from: shortEpoch)
        }
        var shortVersion = Self.head()
        shortVersion.writeJuteLong(1)
        shortVersion.writeBytes([0, 0])
        #expect(throws: ElectionWireError.notificationTruncated(field: "version", bytes: 38)) {
            try ElectionNotification.decode(from: shortVersion)
        }
        #expect(throws: ElectionWireError.unknownPeerState(4)) {
            try ElectionNotification.decode(from: Self.head(state: 4))
        }
    }

    @Test(arguments: [Int32(-1), Int32.min, 60, Int32.max])
    func aConfigLengthOutsideTheMessageIsRefusedBeforeReadingIt(configLength: Int32) {
        var message = Self.head()
        message.writeJuteLong(1)
        message.writeJuteInt(2)
        message.writeJuteInt(configLength)
        message.writeBytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])  // 56 bytes in all
        #expect(throws: ElectionWireError.notificationConfigLength(configLength, messageBytes: 56)) {
            try ElectionNotification.decode(from: message)
        }
    }

    @Test func aConfigLongerThanTheBytesLeftIsTruncated() {
        var message = Self.head()
        message.writeJuteLong(1)
        message.writeJuteInt(2)
        message.writeJuteInt(40)  // ≤ the message length, so past ZooKeeper's bound, but only 4 bytes follow
        message.writeBytes([1, 2, 3, 4])
        #expect(throws: ElectionWireError.notificationTruncated(field: "config", bytes: 48)) {
            try ElectionNotification.decode(from: message)
        }
    }
}

struct ElectionHandshakeTests {
    static let address = ElectionAddress(host: "127.0.0.1", port: 3888)

    @Test func aV1HandshakeIsVersionSidLengthAndHostPort() throws {
        let bytes = ElectionHandshake.v1(serverId: 2, address: Self.address).encoded()
        var expected = ByteBuffer()
        expected.writeJuteLong(-65536)
        expected.writeJuteLong(2)
        expected.writeJuteInt(14)
        expected.writeString("127.0.0.1:3888")
        #expect(bytes == expected)
        var input = bytes
        #expect(try ElectionHandshake.decode(from: &input) == .v1(serverId: 2, address: Self.address))
        #expect(input.readableBytes == 0)
    }

    @Test func aV2HandshakeCarriesEveryAddressIncludingIPv6Literals() throws {
        let handshake = ElectionHandshake(
            protocolVersion: .v2, serverId: 9,
            addresses: [Self.address, ElectionAddress(host: "::1", port: 3889), ElectionAddress(host: "zk-9", port: 1)])
        var bytes = handshake.encoded()
        #expect(bytes.getString(at: 20, length: bytes.readableBytes - 20) == "127.0.0.1:3888|[::1]:3889|zk-9:1")
        #expect(try ElectionHandshake.decode(from: &bytes) == handshake)
    }

    @Test func aNonNegativeFirstLongIsALegacySidAlone() throws {
        var bytes = ByteBuffer()
        bytes.writeJuteLong(7)
        bytes.writeJuteInt(12345)  // the first message's length: not part of the handshake
        let handshake = try ElectionHandshake.decode(from: &bytes)
        #expect(handshake == ElectionHandshake(protocolVersion: nil, serverId: 7, addresses: []))
        #expect(bytes.readableBytes == 4)
        #expect(handshake?.encoded().readableBytes == 8)
    }

    @Test func anIncompleteHandshakeConsumesNothing() throws {
        let whole = Array(ElectionHandshake.v1(serverId: 2, address: Self.address).encoded().readableBytesView)
        for length in 0..<whole.count {
            var partial = ByteBuffer(bytes: whole[0..<length])
            #expect(try ElectionHandshake.decode(from: &partial) == nil)
            #expect(partial.readableBytes == length)
        }
    }

    /// The length is judged when its four bytes are in, without waiting for (or buffering) what it announces.
    @Test(arguments: [Int32(0), -1, 2049, Int32.max])
    func anAddressLengthOutsideZooKeepersBoundIsRefusedAtOnce(length: Int32) {
        var bytes = ByteBuffer()
        bytes.writeJuteLong(ElectionHandshake.ProtocolVersion.v1.rawValue)
        bytes.writeJuteLong(2)
        bytes.writeJuteInt(length)
        #expect(throws: ElectionWireError.handshakeAddressLength(length)) { try ElectionHandshake.decode(from: &bytes) }
    }

    @Test func theLargestAddressLengthIsAccepted() throws {
        let host = String(repeating: "h", count: ElectionHandshake.addressBytesMax - 5)
        var bytes = ElectionHandshake(
            protocolVersion: .v2, serverId: 1, addresses: [ElectionAddress(host: host, port: 3888)]
        ).encoded()
        #expect(bytes.readableBytes == 20 + ElectionHandshake.addressBytesMax)
        #expect(try ElectionHandshake.decode(from: &bytes)?.addresses.first?.host == host)
    }

    @Test func anUnknownProtocolVersionIsRefused() {
        var bytes = ByteBuffer()
        bytes.writeJuteLong(-65534)
        #expect(throws: ElectionWireError.unknownHandshakeVersion(-65534)) {
            try ElectionHandshake.decode(from: &bytes)
        }
    }

    @Test(arguments: ["localhost", "a:b", "a:1:2", "[::1]3888", "[::1", ":3888", "h:", "h:65536", "h:-1", "|h:1"])
    func aBadlyFormedAddressIsRefused(text: String) {
        var bytes = ByteBuffer()
        bytes.writeJuteLong(ElectionHandshake.ProtocolVersion.v1.rawValue)
        bytes.writeJuteLong(2)
        bytes.writeJuteInt(Int32(text.utf8.count))
        bytes.writeString(text)
        #expect(throws: ElectionWireError.self) { try ElectionHandshake.decode(from: &bytes) }
    }

    @Test func trailingSeparatorsVanishAsInJavasSplit() throws {
        var bytes = ByteBuffer()
        bytes.writeJuteLong(ElectionHandshake.ProtocolVersion.v2.rawValue)
        bytes.writeJuteLong(2)
        bytes.writeJuteInt(16)
        bytes.writeString("127.0.0.1:3888||")
        #expect(try ElectionHandshake.decode(from: &bytes)?.addresses == [Self.address])
    }
}

struct LearnerInfoTests {
    @Test func learnerInfoIsTwentyBytesAndRoundTrips() throws {
        let info = LearnerInfo(serverId: 3, configVersion: 0x1_0000_0000)
        let bytes = info.encoded()
        #expect(bytes.readableBytes == 20)
        #expect(try LearnerInfo.decode(from: bytes) == info)
        #expect(
            LearnerInfo.decodeLeniently(bytes)
                == LearnerInfo.Received(serverId: 3, protocolVersion: 0x10000, configVersion: 0x1_0000_0000))
    }

    /// Each field counts only when all its bytes are there; the rest take LearnerHandler's defaults.
    @Test func olderLearnersShortDataIsReadFieldByField() {
        let info = LearnerInfo(serverId: 3, protocolVersion: 0x10000, configVersion: 5)
        let full = Array(info.encoded().readableBytesView)
        func lenient(_ count: Int) -> LearnerInfo.Received {
            LearnerInfo.decodeLeniently(ByteBuffer(bytes: full[0..<count]))
        }
        #expect(LearnerInfo.decodeLeniently(nil) == .init(serverId: nil, protocolVersion: 0x1, configVersion: nil))
        #expect(lenient(0) == .init(serverId: 0, protocolVersion: 0x1, configVersion: nil))
        #expect(lenient(7) == .init(serverId: 0, protocolVersion: 0x1, configVersion: nil))
        #expect(lenient(8) == .init(serverId: 3, protocolVersion: 0x1, configVersion: nil))
        #expect(lenient(12) == .init(serverId: 3, protocolVersion: 0x10000, configVersion: nil))
        #expect(lenient(19) == .init(serverId: 3, protocolVersion: 0x10000, configVersion: nil))
        #expect(lenient(20) == .init(serverId: 3, protocolVersion: 0x10000, configVersion: 5))
        var longer = ByteBuffer(bytes: full)
        longer.writeBytes([9, 9, 9])
        #expect(LearnerInfo.decodeLeniently(longer) == .init(serverId: 3, protocolVersion: 0x10000, configVersion: 5))
    }
}

struct QuorumPacketTests {
    @Test func typesCarryZooKeepersNumbersInOrder() {
        #expect(QuorumPacketType.allCases.map(\.rawValue) == Array(1...19))
        #expect(QuorumPacketType.ackEpoch.description == "ACKEPOCH")
        #expect(QuorumPacket(type: 42, zxid: 0).packetType == nil)
    }

    @Test func aPacketIsABareJuteRecordWithNullsDistinctFromEmpty() throws {
        let ping = QuorumPacket(.ping, zxid: 5)
        #expect(
            Array(ping.encoded().readableBytesView)
                == [0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let empty = QuorumPacket(.ping, zxid: 5, data: ByteBuffer(), authInfo: [])
        #expect(Array(empty.encoded().readableBytesView.suffix(8)) == [0, 0, 0, 0, 0, 0, 0, 0])
        for packet in [
            ping, empty,
            QuorumPacket(
                .request, zxid: -1, data: ByteBuffer(bytes: [1, 2, 3]), authInfo: [Id(scheme: "ip", id: "127.0.0.1")]),
        ] {
            #expect(try QuorumPacket.decode(from: packet.encoded()) == packet)
        }
    }
}

struct QuorumPayloadTests {
    static let records: [AnyRecord] = [
        AnyRecord("LeaderInfoData", LeaderInfoData()),
        AnyRecord("AckEpochData", AckEpochData(currentEpoch: AckEpochData.alreadyAccepted)),
        AnyRecord(
            "SessionTouches",
            SessionTouches([
                .init(sessionId: 0x1000_0984_d9d0_0000, timeoutMillis: 6000), .init(sessionId: -2, timeoutMillis: 0),
            ])),
        AnyRecord("SessionTouches empty", SessionTouches([])),
        AnyRecord("RevalidateRequest", RevalidateRequest(sessionId: 77, timeoutMillis: 4000)),
        AnyRecord("RevalidateReply valid", RevalidateReply(sessionId: 77, valid: true)),
        AnyRecord("RevalidateReply invalid", RevalidateReply(sessionId: 77, valid: false)),
        AnyRecord(
            "ForwardedRequest", ForwardedRequest(sessionId: 1, cxid: 2, type: 1, request: ByteBuffer(bytes: [9, 8]))),
        AnyRecord(
            "ForwardedRequest without body",
            ForwardedRequest(sessionId: 1, cxid: 0, type: -10, request: ByteBuffer())),
        AnyRecord("CommitAndActivateData", CommitAndActivateData(suggestedLeaderId: 3)),
        AnyRecord(
            "InformAndActivateData", InformAndActivateData(suggestedLeaderId: 3, txn: ByteBuffer(bytes: [1, 2, 3]))),
        AnyRecord("LearnerInfo", LearnerInfo(serverId: 1, configVersion: 0)),
        AnyRecord("QuorumPacket", QuorumPacket(.ack, zxid: 0x1_0000_0000)),
    ]

    @Test(arguments: records)
    func payloadRoundTrips(record: AnyRecord) throws {
        let (equal, first, second) = try record.roundTrip()
        #expect(equal)
        #expect(first == second)
    }

    @Test func fixedSizePayloadsHaveZooKeepersSizes() {
        #expect(LeaderInfoData().encoded().readableBytes == 4)
        #expect(AckEpochData(currentEpoch: 1).encoded().readableBytes == 4)
        #expect(RevalidateRequest(sessionId: 1, timeoutMillis: 1).encoded().readableBytes == 12)
        #expect(RevalidateReply(sessionId: 1, valid: true).encoded().readableBytes == 9)
        #expect(CommitAndActivateData(suggestedLeaderId: 1).encoded().readableBytes == 8)
    }

    @Test func sessionTouchesRefuseAPartialPair() {
        #expect(throws: JuteError.trailingBytes(count: 1)) {
            try SessionTouches.decode(from: ByteBuffer(bytes: Array(repeating: 0, count: 13)))
        }
    }
}
