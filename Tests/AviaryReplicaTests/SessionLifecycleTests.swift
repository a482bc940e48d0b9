import AviaryDataTree
import AviaryReplica
import AviaryWire
import Testing

/// How sessions end (closeSession, expiry by ticks) and how connections are refused (auth, unknown or
/// undecodable requests).
struct SessionLifecycleTests {
    @Test func closeSessionIsRepliedToThenTheConnectionCloses() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        harness.write(1, xid: 1, Request.create("/e", mode: .ephemeral))
        _ = harness.send(2, xid: 1, Request.exists("/e", watch: true))
        #expect(harness.send(1, xid: 2, .closeSession) == ["log zxid=4 closeSession"])
        #expect(try #require(harness.logged[4]).body == .closeSession(pathsToDelete: ["/e"]))
        #expect(harness.commitAll() == ["c2 event NodeDeleted /e", "c1 reply xid=2 zxid=4 err=0", "c1 close"])
        #expect(harness.replica.tree.node(at: "/e") == nil)
        #expect(harness.replica.sessions.count == 1)
    }

    /// They wait behind the closeSession, whose reply comes first; the connection then closes (per-session FIFO).
    @Test func requestsAfterCloseSessionAreRefusedInTheirTurn() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        _ = harness.send(1, xid: 1, .closeSession)
        #expect(harness.send(1, xid: 2, Request.getData("/")) == [])
        #expect(harness.send(1, xid: 3, Request.create("/x")) == [])
        #expect(harness.logged.count == 2)
        #expect(harness.commitAll() == ["c1 reply xid=1 zxid=2 err=0", "c1 close"])
    }

    @Test func aSessionExpiresAfterItsTimeoutInTicksAndItsEphemeralsGo() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2, timeout: 40000)
        harness.write(1, xid: 1, Request.create("/e", mode: .ephemeral))
        _ = harness.send(2, xid: 1, Request.exists("/e", watch: true))
        // 4000 ms at 2000 ms per tick: two ticks of timeout, rounded up, plus one for the tick phase.
        #expect(harness.handle(.tick) == [])
        #expect(harness.handle(.tick) == [])
        #expect(harness.handle(.tick) == ["log zxid=4 closeSession"])
        let txn = try #require(harness.logged[4])
        #expect(txn.header.clientId == ReplicaHarness.firstSessionId)
        #expect(txn.body == .closeSession(pathsToDelete: ["/e"]))
        #expect(harness.commitAll() == ["c2 event NodeDeleted /e", "c1 close"])
        #expect(harness.replica.tree.node(at: "/e") == nil)
        #expect(harness.handle(.tick) == [])
    }

    @Test func anExpiredSessionCannotBeResumed() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        harness.handle(.disconnected(1))
        for _ in 0..<3 { harness.handle(.tick) }
        harness.commitAll()
        let lines = harness.connect(2, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(lines == ["c2 connected session=0x0 timeout=0", "c2 close"])
    }

    @Test func anyRequestTouchesTheSessionAndPostponesExpiry() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.handle(.tick)
        harness.handle(.tick)
        #expect(harness.send(1, xid: -2, .ping) == ["c1 reply xid=-2 zxid=1 err=0"])
        #expect(harness.handle(.tick) == [])
        #expect(harness.handle(.tick) == [])
        #expect(harness.handle(.tick) == ["log zxid=2 closeSession"])
    }

    /// ZooKeeper touches a session with its connection's negotiated timeout, so a reconnect that negotiated a new
    /// timeout changes when the session expires (the client was told the new one).
    @Test func aReconnectsNegotiatedTimeoutGovernsExpiryFromThenOn() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        harness.handle(.disconnected(1))
        let lines = harness.connect(
            2, timeout: 20000, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(lines == ["c2 connected session=0x100000000000000 timeout=20000"])
        // 20000 ms at 2000 ms per tick: ten ticks, plus one for the tick phase.
        for tick in 1...10 {
            #expect(harness.handle(.tick) == [], "tick \(tick)")
        }
        #expect(harness.handle(.tick) == ["log zxid=2 closeSession"])
    }

    @Test func aDisconnectAloneDoesNotEndTheSession() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        harness.handle(.disconnected(1))
        #expect(harness.replica.sessions.count == 1)
        let lines = harness.connect(2, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(lines == ["c2 connected session=0x100000000000000 timeout=4000"])
    }

    @Test func failedAuthIsAnsweredAuthFailedWithZxidZeroThenClosed() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        let lines = harness.send(1, xid: SpecialXid.auth, Request.auth("alice:wrong"), identity: .failed)
        #expect(lines == ["c1 reply xid=-4 zxid=0 err=-115", "c1 close"])
    }

    @Test func successfulAuthAddsTheIdentityThatACLsAndWhoAmISee() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        let lines = harness.send(
            1, xid: SpecialXid.auth, Request.auth("alice:secret"), identity: .authenticated([ReplicaHarness.alice]))
        #expect(lines == ["c1 reply xid=-4 zxid=0 err=0"])
        // The order real ZooKeeper listed them in for the same identities.
        #expect(harness.send(1, xid: 1, .whoAmI) == ["c1 reply xid=1 zxid=2 err=0 [digest:alice, ip:127.0.0.1]"])
        harness.write(1, xid: 2, Request.create("/mine", "m", acl: ACL.creatorAll))
        #expect(harness.send(1, xid: 3, Request.getData("/mine")) == ["c1 reply xid=3 zxid=3 err=0 data=m"])
        #expect(harness.send(2, xid: 1, Request.getData("/mine")) == ["c2 reply xid=1 zxid=3 err=-102"])
    }

    @Test func theSuperIdentityReadsEverything() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        _ = harness.send(1, xid: -4, Request.auth("alice:secret"), identity: .authenticated([ReplicaHarness.alice]))
        harness.write(1, xid: 1, Request.create("/mine", "m", acl: ACL.creatorAll))
        let superUser = [Id(scheme: "super", id: ""), Id(scheme: "digest", id: "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")]
        _ = harness.send(2, xid: -4, Request.auth("super:test"), identity: .authenticated(superUser))
        #expect(harness.send(2, xid: 1, Request.getData("/mine")) == ["c2 reply xid=1 zxid=3 err=0 data=m"])
    }

    @Test func anUnknownRequestIsAnsweredUnimplementedThenTheConnectionCloses() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        let lines = harness.handle(.unknownRequest(1, RequestHeader(xid: 7, type: 42)))
        #expect(lines == ["c1 reply xid=7 zxid=-1 err=-6", "c1 close"])
        #expect(harness.send(1, xid: 8, .ping) == [])
        // The session lives on.
        let resumed = harness.connect(2, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(resumed == ["c2 connected session=0x100000000000000 timeout=4000"])
    }

    @Test func anUndecodableWriteBecomesAnErrorTxnThatConsumesAZxid() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        let lines = harness.handle(.undecodableRequest(1, RequestHeader(xid: 5, opCode: .create)))
        #expect(lines == ["log zxid=2 error"])
        let txn = try #require(harness.logged[2])
        #expect(txn.body == .error(KeeperError.marshallingError.rawValue))
        #expect(txn.header.cxid == 5)
        #expect(harness.commitAll() == ["c1 reply xid=5 zxid=2 err=-5"])
        #expect(harness.send(1, xid: 6, Request.create("/a")) == ["log zxid=3 create"])
    }

    @Test func anUndecodableReadIsAnsweredInItsTurnAndTheConnectionStays() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        _ = harness.send(1, xid: 1, Request.create("/a"))
        #expect(harness.handle(.undecodableRequest(1, RequestHeader(xid: 2, opCode: .getData))) == [])
        #expect(harness.commitAll() == ["c1 reply xid=1 zxid=2 err=0 /a", "c1 reply xid=2 zxid=2 err=-5"])
        #expect(harness.send(1, xid: 3, .ping) == ["c1 reply xid=3 zxid=2 err=0"])
    }
}
