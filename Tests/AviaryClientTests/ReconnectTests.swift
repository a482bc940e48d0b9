import AviaryClient
import Testing

/// Connection loss between client and server, made with TCP proxies in front of one server: the client must
/// fail over through its server list and keep its session, or see the session expire.
@Suite(.aviaryServer, .serialized, .timeLimit(.minutes(2)))
struct ReconnectTests {
    @Test func failoverKeepsSessionEphemeralAndWatches() async throws {
        let server = try suiteServer
        let first = try await TCPProxy.start(targetPort: server.port)
        let second = try await TCPProxy.start(targetPort: server.port)
        defer { Task { await first.stop(); await second.stop() } }
        // Only the first proxy is usable at the start, so the session begins there.
        try await second.refuseNewConnections(true)

        try await withClient("\(first.connectString),\(second.connectString)", sessionTimeout: .seconds(10)) { (zk) async throws -> Void in
            let root = uniquePath("failover")
            try await zk.create(root)
            let ephemeral = try await zk.create("\(root)/owned", mode: .ephemeral)
            try await zk.create("\(root)/data", data: [0])
            let states = zk.sessionStates()
            let dataWatch = try await zk.watchData("\(root)/data")
            let existsWatch = try await zk.watchExists("\(root)/later")
            let persistent = try await zk.addWatch("\(root)/data", mode: .persistent)

            // Cut the first path; nothing gets through the second yet, so the client stays away while
            // another session changes what it watches.
            try await first.refuseNewConnections(true)
            try await first.cut()
            var stateIterator = states.makeAsyncIterator()
            #expect(await stateIterator.next() == .connected)
            #expect(await stateIterator.next() == .disconnected)
            try await withClient { (other) async throws -> Void in
                try await other.setData("\(root)/data", data: [1])
                try await other.create("\(root)/later")
            }
            try await second.refuseNewConnections(false)
            #expect(await stateIterator.next() == .connected)

            // Re-armed with the last zxid seen, the watches fire for what changed during the cut.
            let dataEvent = try await dataWatch.watch.event(timeout: .seconds(10))
            #expect(dataEvent.type == .nodeDataChanged)
            let existsEvent = try await existsWatch.watch.event(timeout: .seconds(10))
            #expect(existsEvent.type == .nodeCreated)
            #expect(try await second.acceptedCount() >= 1)

            // The session, and so the ephemeral node, survived.
            let owner = try await zk.exists(ephemeral)?.ephemeralOwner
            #expect(owner == zk.sessionID)
            try await withClient { (other) async throws -> Void in
                #expect(try await other.exists(ephemeral)?.ephemeralOwner == zk.sessionID)
            }

            // Exactly one notification reached the session for the missed change: the persistent watch on
            // the same path shares it (server watches are per session), then sees the next live change.
            try await zk.setData("\(root)/data", data: [2])
            var seen: [WatchEvent] = []
            for try await event in persistent {
                seen.append(event)
                if event.type == .nodeDataChanged, seen.filter({ $0.type == .nodeDataChanged }).count == 2 { break }
            }
            #expect(seen.map(\.type) == [.none, .none, .nodeDataChanged, .nodeDataChanged])
            #expect(seen.prefix(2).map(\.state) == [.disconnected, .syncConnected])
        }
    }

    @Test func silenceLongerThanTheSessionTimeoutExpiresTheSession() async throws {
        let server = try suiteServer
        let proxy = try await TCPProxy.start(targetPort: server.port)
        defer { Task { await proxy.stop() } }
        let ephemeral = uniquePath("expiring")
        try await withDeadline(40) {
            let zk = try await ZooKeeperClient.connectForTest(proxy.connectString, sessionTimeout: .seconds(2))
            let states = zk.sessionStates()
            try await zk.create(ephemeral, mode: .ephemeral)
            let watch = try await zk.watchData(ephemeral)

            try await proxy.freeze()
            try await Task.sleep(for: .seconds(4))
            try await proxy.thaw()

            var seen: [SessionState] = []
            for await state in states { seen.append(state) }
            #expect(seen.first == .connected)
            #expect(seen.contains(.disconnected))
            #expect(seen.last == .expired)
            await expectError(.sessionExpired) { try await watch.watch.event() }
            await expectError(.sessionExpired) { try await zk.exists("/") }
            await zk.close()
        }
        try await withClient { (other) async throws -> Void in
            #expect(try await other.exists(ephemeral) == nil)
        }
    }

    @Test func requestsMadeWhileDisconnectedRunAfterTheReconnect() async throws {
        let server = try suiteServer
        let proxy = try await TCPProxy.start(targetPort: server.port)
        defer { Task { await proxy.stop() } }
        try await withClient(proxy.connectString, sessionTimeout: .seconds(4)) { (zk) async throws -> Void in
            let path = uniquePath("queued")
            try await proxy.refuseNewConnections(true)
            try await proxy.cut()
            #expect(try await eventually(5) { await zk.state == .disconnected })
            async let created = zk.create(path)
            try await Task.sleep(for: .milliseconds(300))
            try await proxy.refuseNewConnections(false)
            #expect(try await created == path)
            #expect(try await zk.exists(path) != nil)
        }
    }
}
