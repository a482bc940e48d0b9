@testable import AviaryClient
import NIOCore
import Testing

/// The protocol engine without I/O: scripted inputs, checked actions.
struct SessionStateMachineTests {
    @Test func handshakeCarriesRequestedTimeoutAndQueuedRequestsFollowIt() throws {
        var harness = MachineHarness()
        let connection = harness.machine.start(now: harness.now).connections[0]
        let id = harness.newRequestID()
        // Made before the session exists: queued, not failed.
        #expect(harness.machine.submit(.sync(PathRequest(path: "/")), id: id, now: harness.now).isEmpty)
        let opened = harness.machine.transportConnected(connection, now: harness.now)
        let request = try #require(opened.connectRequest)
        #expect(request.sessionId == 0)
        #expect(request.timeOutMillis == 3000)
        // The connect request goes alone: nothing may precede the session's establishment.
        #expect(opened.requestFrames.count == 1)

        let answered = harness.handshake(connection, sessionId: 0x42)
        #expect(answered.states == [.connected])
        #expect(answered.requestFrames.map(\.opCode) == [.sync])
        #expect(answered.requestFrames.map(\.header.xid) == [1])
        #expect(harness.machine.sessionId == 0x42)
    }

    @Test func repliesCompleteRequestsInOrderAndAdvanceTheLastZxid() {
        var harness = MachineHarness()
        let connection = harness.connect()
        let first = harness.newRequestID()
        let second = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/a")), id: first, now: harness.now)
        _ = harness.machine.submit(.sync(PathRequest(path: "/b")), id: second, now: harness.now)
        let one = harness.reply(connection, xid: 1, zxid: 0x10, body: .sync(path: "/a"))
        #expect(one.completions.map(\.0) == [first])
        let two = harness.reply(connection, xid: 2, zxid: 0x11, body: .sync(path: "/b"))
        #expect(two.completions.map(\.0) == [second])
        #expect(harness.machine.lastZxidSeen == 0x11)
    }

    @Test func replyWithUnexpectedXidDropsTheConnection() {
        var harness = MachineHarness()
        let connection = harness.connect()
        let id = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/")), id: id, now: harness.now)
        let actions = harness.reply(connection, xid: 99)
        #expect(actions.closed == [connection])
        #expect(actions.states == [.disconnected])
        #expect(actions.completions.map { $0.1 } == [.failure(RequestFailure(.connectionLoss))])
        #expect(actions.connectTargets == [1])
    }

    @Test func pingsAfterAThirdOfTheTimeoutOfSilence() {
        var harness = MachineHarness()
        let connection = harness.connect(timeoutMillis: 3000)
        #expect(harness.advance(milliseconds: 990).requestFrames.isEmpty)
        let pinged = harness.advance(milliseconds: 20).requestFrames
        #expect(pinged.map(\.header.xid) == [SpecialXid.ping])
        #expect(pinged.map(\.opCode) == [.ping])
        _ = harness.reply(connection, xid: SpecialXid.ping)
        // The server answered, so the connection lives on past the read timeout.
        #expect(harness.advance(milliseconds: 1500).closed.isEmpty)
    }

    @Test func silentServerIsGivenUpAfterTwoThirdsOfTheTimeoutAndTheNextServerTried() {
        var harness = MachineHarness(servers: 3)
        let connection = harness.connect(timeoutMillis: 3000)
        let id = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/")), id: id, now: harness.now)
        #expect(harness.advance(milliseconds: 1990).closed.isEmpty)
        let lost = harness.advance(milliseconds: 30)
        #expect(lost.closed == [connection])
        #expect(lost.states == [.disconnected])
        #expect(lost.completions.map(\.0) == [id])
        #expect(lost.connectTargets == [1])
    }

    @Test func afterEveryServerFailedInARowTheNextPassWaits() {
        var harness = MachineHarness(servers: 2)
        let first = harness.machine.start(now: harness.now).connections[0]
        let second = harness.machine.transportFailed(first, now: harness.now)
        #expect(second.connectTargets == [1])
        let paused = harness.machine.transportFailed(second.connections[0], now: harness.now)
        #expect(paused.connectTargets.isEmpty)
        #expect(harness.advance(milliseconds: 90).connectTargets.isEmpty)
        #expect(harness.advance(milliseconds: 20).connectTargets == [0])
    }

    @Test func connectionAttemptGivesUpAfterTimeoutDividedByServers() {
        var harness = MachineHarness(servers: 2, timeoutMillis: 3000)
        let connection = harness.machine.start(now: harness.now).connections[0]
        _ = harness.machine.transportConnected(connection, now: harness.now)
        // The handshake hangs (a frozen server): give up after 3000 / 2 ms.
        #expect(harness.advance(milliseconds: 1490).closed.isEmpty)
        let abandoned = harness.advance(milliseconds: 20)
        #expect(abandoned.closed == [connection])
        #expect(abandoned.connectTargets == [1])
    }

    @Test func reattachSendsSessionAndRearmsWatchesBeforeQueuedRequests() throws {
        var harness = MachineHarness()
        let connection = harness.connect(sessionId: 0x77)
        let read = harness.newRequestID()
        let watch = harness.newWatchID()
        _ = harness.machine.submit(
            .getData(PathWatchRequest(path: "/a", watch: true)), id: read, effect: .register(watch, .data, path: "/a"),
            now: harness.now)
        _ = harness.reply(connection, xid: 1, zxid: 0x55, body: .getData(data: [1], stat: Stat()))

        _ = harness.machine.transportClosed(connection, now: harness.now)
        let queued = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/")), id: queued, now: harness.now)
        let next = try #require(harness.machine.currentAttempt).connection
        let opened = harness.machine.transportConnected(next, now: harness.now)
        let request = try #require(opened.connectRequest)
        #expect(request.sessionId == 0x77)
        #expect(request.passwd == [UInt8](repeating: 7, count: 16))
        #expect(request.lastZxidSeen == 0x55)

        let frames = harness.handshake(next, sessionId: 0x77).requestFrames
        #expect(frames.map(\.opCode) == [.setWatches, .sync])
        #expect(frames.first?.header.xid == SpecialXid.setWatches)
        var reader = JuteReader(frames[0].body)
        let setWatches = try SetWatchesRequest(from: &reader, hasPersistentLists: false)
        #expect(setWatches.relativeZxid == 0x55)
        #expect(setWatches.dataWatches == ["/a"])
    }

    @Test func persistentWatchesAreRearmedWithSetWatches2() throws {
        var harness = MachineHarness()
        let connection = harness.connect()
        let id = harness.newRequestID()
        let watch = harness.newWatchID()
        _ = harness.machine.submit(
            .addWatch(PathTypeRequest(path: "/p", type: AddWatchMode.persistentRecursive.rawValue)), id: id,
            effect: .register(watch, .persistentRecursive, path: "/p"), now: harness.now)
        _ = harness.reply(connection, xid: 1, body: .error(0))
        let lost = harness.machine.transportClosed(connection, now: harness.now)
        // Persistent watches hear about the gap, since the server will not replay it.
        #expect(lost.deliveries.map(\.0.state) == [.disconnected])
        let next = try #require(harness.machine.currentAttempt).connection
        _ = harness.machine.transportConnected(next, now: harness.now)
        let answered = harness.handshake(next)
        #expect(answered.deliveries.map(\.0.state) == [.syncConnected])
        let frames = answered.requestFrames
        #expect(frames.map(\.opCode) == [.setWatches2])
        var reader = JuteReader(frames[0].body)
        let setWatches = try SetWatchesRequest(from: &reader, hasPersistentLists: true)
        #expect(setWatches.persistentRecursiveWatches == ["/p"])
    }

    @Test func expiredHandshakeFailsEverythingAndEnds() throws {
        var harness = MachineHarness()
        let connection = harness.connect()
        let watch = harness.newWatchID()
        _ = harness.machine.submit(
            .exists(PathWatchRequest(path: "/x", watch: true)), id: harness.newRequestID(),
            effect: .exists(watch, path: "/x"), now: harness.now)
        _ = harness.reply(connection, xid: 1, err: .noNode)
        _ = harness.machine.transportClosed(connection, now: harness.now)
        let queued = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/")), id: queued, now: harness.now)
        let next = try #require(harness.machine.currentAttempt).connection
        _ = harness.machine.transportConnected(next, now: harness.now)
        let expired = harness.handshake(next, sessionId: 0, timeoutMillis: 0)
        #expect(expired.states == [.expired])
        #expect(expired.closed == [next])
        #expect(expired.completions.map { $0.1 } == [.failure(RequestFailure(.sessionExpired))])
        #expect(expired.contains { if case .endWatches(let ids, .expired) = $0 { ids == [watch] } else { false } })
        let later = harness.machine.submit(.sync(PathRequest(path: "/")), id: harness.newRequestID(), now: harness.now)
        #expect(later.completions.map { $0.1 } == [.failure(RequestFailure(.sessionExpired))])
        #expect(harness.advance(milliseconds: 5000).connectTargets.isEmpty)
    }

    @Test func notificationsReachWatchesAndOneShotsFireOnce() {
        var harness = MachineHarness()
        let connection = harness.connect()
        let watch = harness.newWatchID()
        _ = harness.machine.submit(
            .getData(PathWatchRequest(path: "/n", watch: true)), id: harness.newRequestID(),
            effect: .register(watch, .data, path: "/n"), now: harness.now)
        _ = harness.reply(connection, xid: 1, body: .getData(data: nil, stat: Stat()))
        let fired = harness.notify(connection, .nodeDataChanged, "/n", zxid: 9)
        #expect(fired.deliveries.map(\.1) == [[WatchDelivery(id: watch, isFinal: true)]])
        #expect(fired.deliveries.first?.0.zxid == 9)
        // The same event again (a duplicate after a re-arm, say) reaches nobody.
        #expect(harness.notify(connection, .nodeDataChanged, "/n").deliveries.isEmpty)
    }

    @Test func authIsResentAfterReconnectAndFailureEndsTheSession() throws {
        var harness = MachineHarness()
        let connection = harness.connect()
        let auth = harness.newRequestID()
        let sent = harness.machine.addAuth(AuthPacket(scheme: "digest", auth: Array("u:p".utf8)), id: auth, now: harness.now)
        #expect(sent.requestFrames.map(\.header.xid) == [SpecialXid.auth])
        #expect(harness.reply(connection, xid: SpecialXid.auth, zxid: 0).completions.map(\.0) == [auth])

        _ = harness.machine.transportClosed(connection, now: harness.now)
        let next = try #require(harness.machine.currentAttempt).connection
        _ = harness.machine.transportConnected(next, now: harness.now)
        #expect(harness.handshake(next).requestFrames.map(\.opCode) == [.auth])
        let refused = harness.reply(next, xid: SpecialXid.auth, zxid: 0, err: .authFailed)
        #expect(refused.states == [.authFailed])
    }

    @Test func closeSendsCloseSessionAndEndsOnItsReply() {
        var harness = MachineHarness()
        let connection = harness.connect()
        let closing = harness.machine.close(now: harness.now)
        #expect(closing.requestFrames.map(\.opCode) == [.closeSession])
        let rejected = harness.machine.submit(.sync(PathRequest(path: "/")), id: harness.newRequestID(), now: harness.now)
        #expect(rejected.completions.map { $0.1 } == [.failure(RequestFailure(.sessionExpired))])
        let closed = harness.reply(connection, xid: 1)
        #expect(closed.states == [.closed])
        #expect(closed.closed == [connection])
    }

    @Test func eventsFromAnAbandonedConnectionAreIgnored() {
        var harness = MachineHarness()
        let old = harness.connect()
        _ = harness.machine.transportClosed(old, now: harness.now)
        #expect(harness.notify(old, .nodeCreated, "/x").isEmpty)
        #expect(harness.machine.transportClosed(old, now: harness.now).isEmpty)
        #expect(harness.machine.transportConnected(old, now: harness.now).closed == [old])
    }

    @Test func oversizedRequestFailsWithoutBeingSent() {
        var harness = MachineHarness()
        harness.connect()
        let id = harness.newRequestID()
        let huge = ClientRequest.setData(SetDataRequest(path: "/big", data: [UInt8](repeating: 1, count: 1_100_000)))
        let actions = harness.machine.submit(huge, id: id, now: harness.now)
        #expect(actions.requestFrames.isEmpty)
        #expect(actions.completions.map { $0.1 } == [.failure(RequestFailure(.badArguments))])
    }

    @Test func requestsQueuedWhileDisconnectedFailAfterASessionTimeout() {
        var harness = MachineHarness(servers: 1)
        let connection = harness.connect(timeoutMillis: 3000)
        _ = harness.machine.transportClosed(connection, now: harness.now)
        let id = harness.newRequestID()
        _ = harness.machine.submit(.sync(PathRequest(path: "/")), id: id, now: harness.now)
        #expect(harness.advance(milliseconds: 2990).completions.isEmpty)
        #expect(harness.advance(milliseconds: 30).completions.map { $0.1 } == [.failure(RequestFailure(.connectionLoss))])
    }
}
