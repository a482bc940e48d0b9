import AviaryDataTree
import AviaryReplica
import AviaryWire
import Testing

/// The handshake through `Replica.handle`: a new session is a createSession txn answered once it is durable; a
/// reconnect with id and password resumes it; anything else gets the rejected response and a close.
struct SessionHandshakeTests {
    @Test func connectAppendsACreateSessionTxnAndAnswersOnlyOnceItIsLogged() throws {
        var harness = ReplicaHarness()
        #expect(harness.connect(1) == ["log zxid=1 createSession"])
        let txn = try #require(harness.logged[1])
        #expect(txn.body == .createSession(timeOutMillis: 4000))
        #expect(txn.header.clientId == ReplicaHarness.firstSessionId)
        #expect(txn.header.time == harness.now - 1)
        #expect(harness.commitAll() == ["c1 connected session=0x100000000000000 timeout=4000"])
        guard case .connectResponse(_, let response) = harness.lastEffects.first else {
            Issue.record("no connect response")
            return
        }
        #expect(response.passwd == SessionPassword.derive(sessionId: ReplicaHarness.firstSessionId))
        #expect(response.hasReadOnlyByte)
        #expect(harness.replica.sessions.count == 1)
    }

    @Test func aRequestSentBeforeTheSessionIsLoggedWaitsForTheConnectResponse() {
        var harness = ReplicaHarness()
        _ = harness.connect(1)
        #expect(harness.send(1, xid: 1, .ping) == [])
        #expect(
            harness.commitAll() == [
                "c1 connected session=0x100000000000000 timeout=4000", "c1 reply xid=1 zxid=1 err=0",
            ])
    }

    @Test(
        arguments: [
            (1000, 4000), (0, 4000), (3999, 4000), (4000, 4000), (30000, 30000), (40000, 40000), (40001, 40000),
            (Int32.max, 40000),
        ] as [(Int32, Int32)])
    func requestedTimeoutIsClampedToTwoAndTwentyTicks(requested: Int32, negotiated: Int32) throws {
        var harness = ReplicaHarness()
        _ = harness.connect(1, timeout: requested)
        #expect(try #require(harness.logged[1]).body == .createSession(timeOutMillis: negotiated))
        #expect(harness.commitAll() == ["c1 connected session=0x100000000000000 timeout=\(negotiated)"])
    }

    @Test func configuredMinimumAndMaximumTimeoutsWin() {
        var harness = ReplicaHarness(
            configuration: ReplicaConfiguration(
                tickTimeMillis: 1000, minSessionTimeoutMillis: 5000, maxSessionTimeoutMillis: 7000))
        _ = harness.connect(1, timeout: 1000)
        _ = harness.connect(2, timeout: 60000)
        #expect(
            harness.commitAll() == [
                "c1 connected session=0x100000000000000 timeout=5000",
                "c2 connected session=0x100000000000001 timeout=7000",
            ])
    }

    @Test func sessionIdsCarryTheServerIdInTheTopByteAndCountUp() {
        var harness = ReplicaHarness(configuration: ReplicaConfiguration(serverId: 3))
        let first = harness.openSession(1)
        let second = harness.openSession(2)
        #expect(first >> 56 == 3)
        #expect(second == first + 1)
    }

    @Test func reconnectingWithIdAndPasswordResumesTheSessionAtOnce() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        harness.handle(.disconnected(1))
        let lines = harness.connect(
            2, timeout: 6000, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(lines == ["c2 connected session=0x100000000000000 timeout=6000"])
        #expect(harness.send(2, xid: 1, .ping) == ["c2 reply xid=1 zxid=1 err=0"])
    }

    @Test func reconnectingWhileTheOldConnectionIsOpenClosesTheOldOne() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        let lines = harness.connect(2, sessionId: session, passwd: SessionPassword.derive(sessionId: session))
        #expect(lines == ["c1 close", "c2 connected session=0x100000000000000 timeout=4000"])
        #expect(harness.send(1, xid: 1, .ping) == [])
    }

    @Test func aWrongPasswordGetsTheRejectedResponseAndAClose() throws {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        harness.handle(.disconnected(1))
        var wrong = SessionPassword.derive(sessionId: session)
        wrong[0] ^= 0xFF
        #expect(
            harness.connect(2, sessionId: session, passwd: wrong) == ["c2 connected session=0x0 timeout=0", "c2 close"])
        guard case .connectResponse(_, let response) = harness.lastEffects.first else {
            Issue.record("no connect response")
            return
        }
        #expect(response.passwd == [UInt8](repeating: 0, count: 16))
        #expect(harness.send(2, xid: 1, .ping) == [])
    }

    /// ZooKeeper drops the session's current connection before it checks the password of the new one.
    @Test func aWrongPasswordStillClosesTheSessionsCurrentConnection() {
        var harness = ReplicaHarness()
        let session = harness.openSession(1)
        let lines = harness.connect(2, sessionId: session, passwd: [UInt8](repeating: 7, count: 16))
        #expect(lines == ["c1 close", "c2 connected session=0x0 timeout=0", "c2 close"])
    }

    @Test func anUnknownSessionIsRejected() {
        var harness = ReplicaHarness()
        let unknown: Int64 = 0x0100_0000_0000_0042
        let lines = harness.connect(1, sessionId: unknown, passwd: SessionPassword.derive(sessionId: unknown))
        #expect(lines == ["c1 connected session=0x0 timeout=0", "c1 close"])
    }

    @Test func aClientThatHasSeenANewerZxidIsRefused() {
        var harness = ReplicaHarness()
        #expect(harness.connect(1, lastZxidSeen: 5) == ["c1 close"])
        #expect(harness.replica.sessions.count == 0)
    }

    @Test func aPre34ClientGetsAReplyWithoutTheReadOnlyByte() {
        var harness = ReplicaHarness()
        harness.handle(.connect(1, ConnectRequest(timeOutMillis: 4000, hasReadOnlyByte: false), address: "10.0.0.1"))
        harness.commitAll()
        guard case .connectResponse(_, let response) = harness.lastEffects.first else {
            Issue.record("no connect response")
            return
        }
        #expect(!response.hasReadOnlyByte)
    }
}

/// `java.util.Random(sessionId ^ 0xB3415C00).nextBytes(16)`, checked against passwords real ZooKeeper issued.
struct SessionPasswordTests {
    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test(
        arguments: [
            (72_057_623_216_979_968, "0189d2f3fa6c3cef47ce1b11d3e64095"),
            (0x0100_0008_24b1_0000, "35539fe91e3d09159bc5804597ade373"),
            (0x0100_0008_24b1_0002, "0f11abe9dea54a8bb13fb2eef09bbad9"),
        ] as [(Int64, String)])
    func passwordIsWhatZooKeeperIssuedForTheSessionId(sessionId: Int64, password: String) {
        #expect(SessionPassword.derive(sessionId: sessionId) == Self.bytes(password))
    }

    @Test func passwordsDifferBetweenSessions() {
        #expect(SessionPassword.derive(sessionId: 1) != SessionPassword.derive(sessionId: 2))
        #expect(SessionPassword.derive(sessionId: 1).count == 16)
    }
}
