import AviaryConsensus
import AviaryReplica
import AviaryWire
import Testing

/// Found by the replica simulation (`aviary-sim --replicas`, 76 of seeds 1…100 once its clients sent requests
/// right behind their ConnectRequest, as ZooKeeper's Java client does): a follower answered such a request while
/// the leader was still confirming the reconnecting session, so the reply came before the connect response.
struct FollowerReconnectTests {
    static let sessionId: Int64 = 0x0200_0000_0000_0001

    /// Server 1 following leader 2, with one session the leader created.
    static func follower() -> ReplicaHarness {
        var harness = EnsembleReplicas.follower()
        let zxid = Zxid.make(epoch: 1, counter: 1)
        let createSession = Txn(
            header: TxnHeader(clientId: sessionId, cxid: 0, zxid: zxid, time: 0, type: OpCode.createSession.rawValue),
            body: .createSession(timeOutMillis: 4000))
        harness.handle(.learnerPacket(.consensus(.proposal(zxid: zxid, createSession)), from: 2))
        harness.handle(.logAppended(through: zxid))
        harness.handle(.learnerPacket(.consensus(.commit(zxid: zxid)), from: 2))
        return harness
    }

    @Test func aRequestSentRightAfterReconnectingWaitsForTheLeaderToConfirmTheSession() {
        var harness = Self.follower()
        #expect(harness.replica.servingState == .following(leader: 2))
        #expect(harness.replica.sessions.sessions[Self.sessionId] != nil)
        let reconnect = harness.connect(1, sessionId: Self.sessionId, passwd: SessionPassword.derive(sessionId: Self.sessionId))
        #expect(reconnect.count == 1 && reconnect[0].contains("revalidate"))
        #expect(harness.send(1, xid: 1, Request.getData("/")) == [])
        #expect(
            harness.handle(.learnerPacket(.revalidated(RevalidateReply(sessionId: Self.sessionId, valid: true)), from: 2)) == [
                "c1 connected session=0x200000000000001 timeout=4000", "c1 reply xid=1 zxid=4294967297 err=0 data=",
            ])
    }

    @Test func requestsSentBehindARefusedReconnectAreNeverAnswered() {
        var harness = Self.follower()
        _ = harness.connect(1, sessionId: Self.sessionId, passwd: SessionPassword.derive(sessionId: Self.sessionId))
        #expect(harness.send(1, xid: 1, Request.getData("/")) == [])
        #expect(
            harness.handle(.learnerPacket(.revalidated(RevalidateReply(sessionId: Self.sessionId, valid: false)), from: 2)) == [
                "c1 connected session=0x0 timeout=0", "c1 close",
            ])
    }
}
