import AviaryTransport
import AviaryWire
import NIOCore
import NIOPosix
import Testing

/// Election managers on 127.0.0.1, ephemeral ports, talking to each other and to raw sockets.
struct ElectionConnectionManagerTests {
    struct Node {
        var id: Int64
        var manager: ElectionConnectionManager
        var inbox: Inbox<ReceivedNotification>
        var port: Int

        func received(_ notification: ElectionNotification, from sender: Int64) -> Bool {
            inbox.all.contains(ReceivedNotification(senderId: sender, notification: notification))
        }

        func waitFor(_ notification: ElectionNotification, from sender: Int64) async throws {
            try await inbox.wait(for: "\(sender)'s notification \(notification) at \(id)") { _ in
                received(notification, from: sender)
            }
        }

        /// Sends `notification` to `receiver` every half second until it arrives, as a server looking for a
        /// leader re-sends its vote: a dial that failed (a TLS handshake outlasting the connect timeout on a
        /// loaded machine) is made again by the next send.
        func deliver(_ notification: ElectionNotification, to receiver: Node, timeout: Duration = .seconds(30))
            async throws
        {
            let deadline = ContinuousClock.now + timeout
            while true {
                manager.send(notification, to: receiver.id)
                do {
                    let what = "\(id)'s notification at \(receiver.id)"
                    try await receiver.inbox.wait(for: what, timeout: .milliseconds(500)) { _ in
                        receiver.received(notification, from: id)
                    }
                    return
                } catch is TimedOut where ContinuousClock.now < deadline {
                    continue
                }
            }
        }
    }

    static func notification(from id: Int64, epoch: Int64 = 1) -> ElectionNotification {
        ElectionNotification(
            state: .looking, leader: id, zxid: id << 32, electionEpoch: epoch, peerEpoch: id,
            config: Array("server.\(id)=127.0.0.1:1:2\nversion=0".utf8))
    }

    static func startNode(
        _ id: Int64, port: Int = 0, handshakeTimeout: TimeAmount = .seconds(60), _ cleanup: Cleanup
    ) async throws -> Node {
        let inbox = Inbox<ReceivedNotification>()
        let manager = ElectionConnectionManager(
            configuration: ElectionConfiguration(
                serverId: id, bindHost: TestSupport.host, bindPort: port, peers: [:],
                connectTimeout: .seconds(2), handshakeTimeout: handshakeTimeout),
            group: TestSupport.group, logger: TestSupport.logger("election.\(id)"),
            deliver: { inbox.append($0) })
        cleanup.add { await manager.shutdown() }
        let address = try await manager.start()
        return Node(id: id, manager: manager, inbox: inbox, port: address.port!)
    }

    /// Starts one manager per id and tells each where the others listen.
    static func startNodes(_ ids: [Int64], _ cleanup: Cleanup) async throws -> [Int64: Node] {
        var nodes: [Int64: Node] = [:]
        for id in ids { nodes[id] = try await startNode(id, cleanup) }
        let addresses = nodes.mapValues { ElectionAddress(host: TestSupport.host, port: $0.port) }
        for node in nodes.values { node.manager.updatePeers(addresses.filter { $0.key != node.id }) }
        return nodes
    }

    @Test func twoManagersExchangeNotifications() async throws {
        try await withCleanup { cleanup in
            let nodes = try await Self.startNodes([1, 2], cleanup)
            nodes[1]!.manager.send(Self.notification(from: 1), to: 2)
            nodes[2]!.manager.send(Self.notification(from: 2), to: 1)
            try await nodes[2]!.waitFor(Self.notification(from: 1), from: 1)
            try await nodes[1]!.waitFor(Self.notification(from: 2), from: 2)
        }
    }

    /// Every pair dials each other at once; the tie-break must leave one TCP connection per pair, the one the
    /// higher id dialed, seen from both ends.
    @Test func theTieBreakLeavesOneConnectionPerPairDialedByTheHigherId() async throws {
        try await withCleanup { cleanup in
            let nodes = try await Self.startNodes([1, 2, 3], cleanup)
            for sender in nodes.values {
                for receiver in nodes.keys where receiver != sender.id {
                    sender.manager.send(Self.notification(from: sender.id), to: receiver)
                }
            }
            for receiver in nodes.values {
                for sender in nodes.keys where sender != receiver.id {
                    try await receiver.waitFor(Self.notification(from: sender), from: sender)
                }
            }
            // A dial can fail on a loaded machine: the connect timeout is 2 s, and this process shares two event
            // loops with every other suite. A server looking for a leader then dials again (`reconnectAll`) when
            // no notification has come for a while, so the test does that too, once a second.
            var lastRedial = ContinuousClock.now
            try await eventually("one connection per pair", timeout: .seconds(30)) {
                var views: [Int64: [ElectionConnectionInfo]] = [:]
                for node in nodes.values { views[node.id] = await node.manager.connections() }
                if Self.oneConnectionPerPair(views) { return true }
                if ContinuousClock.now - lastRedial > .seconds(1) {
                    for node in nodes.values { node.manager.reconnectAll() }
                    lastRedial = ContinuousClock.now
                }
                return false
            }
            // The surviving connections carry new messages both ways.
            nodes[1]!.manager.send(Self.notification(from: 1, epoch: 2), to: 3)
            nodes[3]!.manager.send(Self.notification(from: 3, epoch: 2), to: 1)
            try await nodes[3]!.waitFor(Self.notification(from: 1, epoch: 2), from: 1)
            try await nodes[1]!.waitFor(Self.notification(from: 3, epoch: 2), from: 3)
        }
    }

    static func oneConnectionPerPair(_ views: [Int64: [ElectionConnectionInfo]]) -> Bool {
        for (id, connections) in views {
            guard connections.map(\.serverId) == views.keys.filter({ $0 != id }).sorted() else { return false }
            for connection in connections {
                guard connection.dialedByUs == (id > connection.serverId),
                    let mirror = views[connection.serverId]?.first(where: { $0.serverId == id }),
                    mirror.localAddress == connection.remoteAddress, mirror.remoteAddress == connection.localAddress
                else { return false }
            }
        }
        return true
    }

    @Test func aNotificationToOurOwnIdIsDeliveredLocally() async throws {
        try await withCleanup { cleanup in
            let node = try await Self.startNode(4, cleanup)
            node.manager.send(Self.notification(from: 4), to: 4)
            try await node.waitFor(Self.notification(from: 4), from: 4)
            #expect(await node.manager.connections().isEmpty)
        }
    }

    /// While a peer is unreachable only the newest message waits for it; it goes out once a connection exists.
    @Test func onlyTheNewestMessageWaitsForAnUnreachablePeer() async throws {
        try await withCleanup { cleanup in
            let reserved = try ReservedPort()
            let port = reserved.port
            let first = try await Self.startNode(1, cleanup)
            first.manager.updatePeers([2: ElectionAddress(host: TestSupport.host, port: port)])
            for epoch in Int64(1)...3 {
                first.manager.send(Self.notification(from: 1, epoch: epoch), to: 2)
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(200))
            let second = try await Self.startNode(2, port: port, cleanup)
            reserved.release()
            second.manager.updatePeers([1: ElectionAddress(host: TestSupport.host, port: first.port)])
            second.manager.send(Self.notification(from: 2), to: 1)  // 2 > 1: 2 dials and keeps the connection
            try await second.inbox.wait(for: "the queued notification") { !$0.isEmpty }
            try await Task.sleep(for: .milliseconds(200))
            let newest = ReceivedNotification(senderId: 1, notification: Self.notification(from: 1, epoch: 3))
            #expect(second.inbox.all == [newest])
        }
    }

    @Test(arguments: [
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFD],  // unknown protocol version -3
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0x10, 0],  // V1, 4096 address bytes
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3, 0x61, 0x3A, 0x62],  // "a:b"
    ] as [[UInt8]])
    func aGarbageHandshakeIsRefusedWithoutDisturbingOthers(garbage: [UInt8]) async throws {
        try await withCleanup { cleanup in
            let nodes = try await Self.startNodes([1, 2], cleanup)
            nodes[2]!.manager.send(Self.notification(from: 2), to: 1)
            try await nodes[1]!.waitFor(Self.notification(from: 2), from: 2)
            let before = await nodes[2]!.manager.connections()

            let raw = Inbox<RawEvent>()
            let channel = try await TestSupport.rawClient(port: nodes[2]!.port, inbox: raw)
            cleanup.add { try? await channel.close() }
            try await channel.writeAndFlush(ByteBuffer(bytes: garbage))
            try await raw.wait(for: "the server to close the garbage connection") { $0.contains(.closed) }

            #expect(await nodes[2]!.manager.connections() == before)
            nodes[1]!.manager.send(Self.notification(from: 1, epoch: 5), to: 2)
            try await nodes[2]!.waitFor(Self.notification(from: 1, epoch: 5), from: 1)
        }
    }

    /// A raw peer that completes a handshake as server 9 (higher, so its connection is kept).
    static func rawPeer(to node: Node, inbox: Inbox<RawEvent>, _ cleanup: Cleanup) async throws -> any Channel {
        let channel = try await TestSupport.rawClient(port: node.port, inbox: inbox)
        cleanup.add { try? await channel.close() }
        try await channel.writeAndFlush(
            ElectionHandshake.v1(serverId: 9, address: ElectionAddress(host: TestSupport.host, port: 1)).encoded())
        return channel
    }

    @Test(arguments: [0, -7, 512 * 1024 + 1] as [Int32])
    func aBadMessageLengthClosesThatConnectionOnly(length: Int32) async throws {
        try await withCleanup { cleanup in
            let nodes = try await Self.startNodes([1, 2], cleanup)
            nodes[2]!.manager.send(Self.notification(from: 2), to: 1)
            try await nodes[1]!.waitFor(Self.notification(from: 2), from: 2)

            let raw = Inbox<RawEvent>()
            let channel = try await Self.rawPeer(to: nodes[2]!, inbox: raw, cleanup)
            var valid = ByteBuffer()
            valid.writeElectionMessage(Self.notification(from: 9))
            try await channel.writeAndFlush(valid)
            try await nodes[2]!.waitFor(Self.notification(from: 9), from: 9)
            var bad = ByteBuffer()
            bad.writeJuteInt(length)
            try await channel.writeAndFlush(bad)
            try await raw.wait(for: "the server to close the connection") { $0.contains(.closed) }
            try await eventually("server 9's connection to be dropped") {
                await nodes[2]!.manager.connections().map(\.serverId) == [1]
            }
            nodes[1]!.manager.send(Self.notification(from: 1, epoch: 6), to: 2)
            try await nodes[2]!.waitFor(Self.notification(from: 1, epoch: 6), from: 1)
        }
    }

    /// As in ZooKeeper's receiver: an undecodable notification is skipped, the connection stays.
    @Test func aMalformedNotificationIsSkippedAndTheConnectionKept() async throws {
        try await withCleanup { cleanup in
            let node = try await Self.startNode(2, cleanup)
            let raw = Inbox<RawEvent>()
            let channel = try await Self.rawPeer(to: node, inbox: raw, cleanup)
            var messages = ByteBuffer()
            messages.writeJuteInt(27)
            messages.writeRepeatingByte(0, count: 27)
            messages.writeElectionMessage(Self.notification(from: 9))
            try await channel.writeAndFlush(messages)
            try await node.inbox.wait(for: "the valid notification after the bad one") { !$0.isEmpty }
            #expect(node.inbox.all == [ReceivedNotification(senderId: 9, notification: Self.notification(from: 9))])
            #expect(!raw.all.contains(.closed))
            #expect(await node.manager.connections().map(\.serverId) == [9])
        }
    }

    @Test func aConnectionThatSendsNoHandshakeIsClosedAfterTheTimeout() async throws {
        try await withCleanup { cleanup in
            let node = try await Self.startNode(2, handshakeTimeout: .milliseconds(200), cleanup)
            let raw = Inbox<RawEvent>()
            let channel = try await TestSupport.rawClient(port: node.port, inbox: raw)
            cleanup.add { try? await channel.close() }
            try await raw.wait(for: "the silent connection to be closed", timeout: .seconds(5)) { $0.contains(.closed) }
        }
    }

    /// Two connections from one peer whose handshakes are read in the other order (they are read on different
    /// event loops): the one accepted later is the one the peer uses, so it stays and the earlier one is closed.
    @Test func theConnectionAcceptedLaterWinsWhateverOrderTheHandshakesArriveIn() async throws {
        try await withCleanup { cleanup in
            let node = try await Self.startNode(2, cleanup)
            let handshake = ElectionHandshake.v1(serverId: 9, address: ElectionAddress(host: TestSupport.host, port: 1))
                .encoded()
            let earlierEvents = Inbox<RawEvent>()
            let earlier = try await TestSupport.rawClient(port: node.port, inbox: earlierEvents)
            cleanup.add { try? await earlier.close() }
            let laterEvents = Inbox<RawEvent>()
            let later = try await TestSupport.rawClient(port: node.port, inbox: laterEvents)
            cleanup.add { try? await later.close() }

            try await later.writeAndFlush(handshake)
            try await eventually("the later connection to be server 9's") {
                await node.manager.connections().first?.remoteAddress == later.localAddress
            }
            try await earlier.writeAndFlush(handshake)
            try await earlierEvents.wait(for: "the earlier connection to be closed") { $0.contains(.closed) }

            let connections = await node.manager.connections()
            #expect(connections.map(\.serverId) == [9])
            #expect(connections.first?.remoteAddress == later.localAddress)
            #expect(!laterEvents.all.contains(.closed))
            var message = ByteBuffer()
            message.writeElectionMessage(Self.notification(from: 9))
            try await later.writeAndFlush(message)
            try await node.waitFor(Self.notification(from: 9), from: 9)
        }
    }

    /// A lower id that dials us gets no answer on that connection: we hang up and dial it back at the address
    /// its handshake announced, sending our own handshake.
    @Test func aLowerIdThatDialsIsDialedBackAtItsAnnouncedAddress() async throws {
        try await withCleanup { cleanup in
            let node = try await Self.startNode(5, cleanup)
            let dialedBack = Inbox<RawEvent>()
            let standIn = try await ServerBootstrap(group: TestSupport.group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RawRecorder(inbox: dialedBack))
                    }
                }
                .bind(host: TestSupport.host, port: 0).get()
            cleanup.add { try? await standIn.close() }
            let raw = Inbox<RawEvent>()
            let channel = try await TestSupport.rawClient(port: node.port, inbox: raw)
            cleanup.add { try? await channel.close() }
            let announced = ElectionAddress(host: TestSupport.host, port: standIn.localAddress!.port!)
            try await channel.writeAndFlush(ElectionHandshake.v1(serverId: 3, address: announced).encoded())
            try await raw.wait(for: "the lower id's connection to be closed") { $0.contains(.closed) }

            let expected = Array(
                ElectionHandshake.v1(serverId: 5, address: ElectionAddress(host: TestSupport.host, port: node.port))
                    .encoded().readableBytesView)
            func bytes(_ events: [RawEvent]) -> [UInt8] {
                events.flatMap { event -> [UInt8] in if case .bytes(let bytes) = event { bytes } else { [] } }
            }
            try await dialedBack.wait(for: "the dial-back handshake") { bytes($0).count >= expected.count }
            #expect(bytes(dialedBack.all) == expected)
            #expect(await node.manager.connections().map(\.serverId) == [3])
        }
    }
}
