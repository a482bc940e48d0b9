import AviaryTransport
import AviaryWire
import NIOCore
import NIOPosix
import Testing

/// The learner port end to end over loopback: a listener (leader side) and a connector (learner side).
struct LearnerPortTests {
    static let packetBytesMax = 0xFFFFF + 1024

    /// What one side saw, in order.
    final class Side: Sendable {
        let events = Inbox<LearnerConnectionEvent>()

        var received: [LearnerStreamItem] {
            events.all.compactMap { if case .received(_, let item) = $0 { item } else { nil } }
        }

        var connection: LearnerConnection? {
            events.all.lazy.compactMap { if case .opened(let connection) = $0 { connection } else { nil } }.first
        }

        var closeReasons: [String?] {
            events.all.compactMap { if case .closed(_, let reason) = $0 { reason } else { nil } }
        }

        var isClosed: Bool {
            events.all.contains { if case .closed = $0 { true } else { false } }
        }
    }

    static func listen(_ leader: Side, _ cleanup: Cleanup) async throws -> LearnerListener {
        let listener = try await LearnerListener.bind(
            group: TestSupport.group, host: TestSupport.host, port: 0, packetBytesMax: packetBytesMax,
            logger: TestSupport.logger("learner.listener"), onEvent: { leader.events.append($0) })
        cleanup.add { await listener.close() }
        return listener
    }

    static func connect(
        to listener: LearnerListener, _ learner: Side, _ cleanup: Cleanup
    ) async throws -> LearnerConnection {
        let connection = try await LearnerConnector.connect(
            group: TestSupport.group, host: TestSupport.host, port: listener.localAddress!.port!,
            packetBytesMax: packetBytesMax, logger: TestSupport.logger("learner.connector"),
            onEvent: { learner.events.append($0) })
        cleanup.add { connection.close() }
        return connection
    }

    /// A snapshot as ZooKeeper streams one, big enough to arrive in many reads.
    static func snapshot(nodes: Int, dataBytes: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(1)
        buffer.writeJuteLong(0x1000_0000_0000_0001)
        buffer.writeJuteInt(6000)
        buffer.writeJuteInt(0)
        let stat = StatPersisted(
            czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, pzxid: 1)
        for index in 0..<nodes {
            buffer.writeJuteString(index == 0 ? "" : "/n\(index)")
            buffer.writeJuteBuffer(Array(repeating: UInt8(truncatingIfNeeded: index), count: dataBytes))
            buffer.writeJuteLong(-1)
            stat.encode(to: &buffer)
        }
        buffer.writeJuteString("/")
        return buffer
    }

    @Test func aSnapshotSyncAndTheBroadcastAfterItArriveInOrder() async throws {
        try await withCleanup { cleanup in
            let leader = Side()
            let learner = Side()
            let listener = try await Self.listen(leader, cleanup)
            let toLeader = try await Self.connect(to: listener, learner, cleanup)

            let hello: [LearnerStreamItem] = [
                .packet(
                    QuorumPacket(.followerInfo, zxid: 0, data: LearnerInfo(serverId: 2, configVersion: 0).encoded())),
                .packet(QuorumPacket(.ackEpoch, zxid: 0, data: AckEpochData(currentEpoch: 0).encoded())),
            ]
            toLeader.send(hello)
            try await leader.events.wait(for: "the learner's packets") { _ in leader.received.count == 2 }
            #expect(leader.received == hello)

            let snapshot = Self.snapshot(nodes: 2000, dataBytes: 1500)  // about 3.2 MB
            let toLearner = try #require(leader.connection)
            let proposal = QuorumPacket(.proposal, zxid: 0x1_0000_0002, data: ByteBuffer(bytes: [1, 2, 3]))
            toLearner.send([.packet(QuorumPacket(.leaderInfo, zxid: 0x1_0000_0000, data: LeaderInfoData().encoded()))])
            toLearner.sendSnapshotSync(
                zxid: 0x1_0000_0001, snapshot: snapshot,
                followedBy: [QuorumPacket(.newLeader, zxid: 0x1_0000_0000, data: ByteBuffer(string: "version=0"))])
            toLearner.send([.packet(QuorumPacket(.upToDate, zxid: -1)), .packet(proposal)])

            let expected: [LearnerStreamItem] = [
                .packet(QuorumPacket(.leaderInfo, zxid: 0x1_0000_0000, data: LeaderInfoData().encoded())),
                .packet(QuorumPacket(.snap, zxid: 0x1_0000_0001)),
                .snapshot(snapshot),
                .packet(QuorumPacket(.newLeader, zxid: 0x1_0000_0000, data: ByteBuffer(string: "version=0"))),
                .packet(QuorumPacket(.upToDate, zxid: -1)),
                .packet(proposal),
            ]
            try await learner.events.wait(for: "the sync", timeout: .seconds(20)) { _ in
                learner.received.count >= expected.count
            }
            #expect(learner.received == expected)
            #expect(learner.connection == toLeader)
        }
    }

    @Test func aMalformedStreamClosesTheConnectionWithItsReason() async throws {
        try await withCleanup { cleanup in
            let leader = Side()
            let listener = try await Self.listen(leader, cleanup)
            let raw = Inbox<RawEvent>()
            let channel = try await TestSupport.rawClient(port: listener.localAddress!.port!, inbox: raw)
            cleanup.add { try? await channel.close() }
            var oversized = ByteBuffer()
            oversized.writeJuteInt(QuorumPacketType.request.rawValue)
            oversized.writeJuteLong(-1)
            oversized.writeJuteInt(Int32(Self.packetBytesMax))
            try await channel.writeAndFlush(oversized)
            try await raw.wait(for: "the leader to close") { $0.contains(.closed) }
            try await leader.events.wait(for: "the close event") { _ in leader.isClosed }
            let reason = try #require(leader.closeReasons.first ?? nil)
            #expect(reason.contains("exceeds the limit"))
        }
    }

    @Test func theConnectorRetriesUntilTheLeaderListens() async throws {
        try await withCleanup { cleanup in
            let reserved = try ReservedPort()
            let port = reserved.port
            let leader = Side()
            let learner = Side()
            async let connected = LearnerConnector.connect(
                group: TestSupport.group, host: TestSupport.host, port: port, packetBytesMax: Self.packetBytesMax,
                retry: .init(attempts: 50, delay: .milliseconds(50)), logger: TestSupport.logger("learner.retry"),
                onEvent: { learner.events.append($0) })
            try await Task.sleep(for: .milliseconds(300))
            let listener = try await LearnerListener.bind(
                group: TestSupport.group, host: TestSupport.host, port: port, packetBytesMax: Self.packetBytesMax,
                logger: TestSupport.logger("learner.late"), onEvent: { leader.events.append($0) })
            cleanup.add { await listener.close() }
            reserved.release()
            let connection = try await connected
            cleanup.add { connection.close() }
            try await leader.events.wait(for: "the accepted connection") { _ in leader.connection != nil }
        }
    }

    @Test func theConnectorGivesUpAfterItsAttempts() async throws {
        let reserved = try ReservedPort()
        let port = reserved.port
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            _ = try await LearnerConnector.connect(
                group: TestSupport.group, host: TestSupport.host, port: port, packetBytesMax: Self.packetBytesMax,
                retry: .init(attempts: 3, delay: .milliseconds(100)), logger: TestSupport.logger("learner.refused"),
                onEvent: { _ in })
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(200))  // two pauses between three attempts
        reserved.release()
    }
}
