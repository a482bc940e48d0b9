import AviaryConsensus
import AviaryReplica
import AviaryWire
import NIOCore
import Testing

/// The leader's view of sessions in an ensemble. Both were found by the replica simulation
/// (`aviary-sim --replicas --faulty-millis 12000`): seeds 746, 763, 1046, 1106 for the first, 773 and 1264 for
/// the second.
struct LeaderSessionTests {
    static let sessionId: Int64 = 0x0200_0000_0000_0001

    /// A session created through learner 2.
    static func leaderWithSession() -> ReplicaHarness {
        var harness = EnsembleReplicas.leader()
        var timeout = ByteBufferAllocator().buffer(capacity: 4)
        timeout.writeJuteInt(4000)
        let create = ForwardedRequest(sessionId: sessionId, cxid: 0, type: OpCode.createSession.rawValue, request: timeout)
        harness.handle(.learnerPacket(.forwardedRequest(create, authInfo: []), from: 2))
        EnsembleReplicas.commitOnLeader(&harness)
        return harness
    }

    static func forwardedSetData(cxid: Int32) -> LearnerPacket {
        let request = Request.setData("/", "\(cxid)")
        return .forwardedRequest(
            ForwardedRequest(sessionId: sessionId, cxid: cxid, type: OpCode.setData.rawValue, request: request.encoded()),
            authInfo: [])
    }

    /// The client moved from learner 2 to learner 3 while a write it sent through 2 was still on its way: that
    /// write must not be ordered after the ones it sends through 3 (ZooKeeper answers it SESSIONMOVED).
    @Test func aWriteFromALearnerTheSessionMovedAwayFromIsRefused() throws {
        var harness = Self.leaderWithSession()
        #expect(harness.replica.isServing)
        harness.handle(.learnerPacket(.revalidate(RevalidateRequest(sessionId: Self.sessionId, timeoutMillis: 4000)), from: 3))
        harness.handle(.learnerPacket(Self.forwardedSetData(cxid: 6), from: 3))
        let current = try #require(harness.logged[harness.lastLoggedZxid])
        #expect(current.header.cxid == 6 && current.body != .error(KeeperError.sessionMoved.rawValue))
        harness.handle(.learnerPacket(Self.forwardedSetData(cxid: 5), from: 2))
        let stale = try #require(harness.logged[harness.lastLoggedZxid])
        #expect(stale.header.cxid == 5)
        #expect(stale.body == .error(KeeperError.sessionMoved.rawValue))
    }

    @Test func aSessionStaysWithTheLearnerItWasCreatedThrough() throws {
        var harness = Self.leaderWithSession()
        harness.handle(.learnerPacket(Self.forwardedSetData(cxid: 1), from: 2))
        let txn = try #require(harness.logged[harness.lastLoggedZxid])
        #expect(txn.header.cxid == 1 && txn.body != .error(KeeperError.sessionMoved.rawValue))
    }

    /// A leader that proposed a session's expiry and lost its quorum before the closeSession committed must not
    /// keep the session marked closing: the next leader may never close it, and this server would then refuse
    /// the session's requests (or, leading again, never expire it).
    @Test func aSessionWhoseExpiryNeverCommittedIsAliveAfterTheLeaderStepsDown() throws {
        var harness = Self.leaderWithSession()
        // 4000 ms at 2000 ms per tick: the session expires at the third tick after it was created.
        harness.handle(.tick)
        harness.handle(.tick)
        #expect(harness.handle(.tick).contains("log zxid=4294967298 closeSession"))
        #expect(harness.replica.sessions.sessions[Self.sessionId]?.isClosing == true)
        // Server 2 goes silent: at the next heartbeat the leader has no quorum and steps down.
        harness.handle(.peerConnectionLost(2))
        harness.handle(.clock(now: 100_000))
        #expect(harness.replica.servingState == .looking)
        #expect(harness.replica.sessions.sessions[Self.sessionId]?.isClosing == false)
    }
}
