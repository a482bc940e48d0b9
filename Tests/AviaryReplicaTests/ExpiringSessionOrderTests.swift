import AviaryReplica
import AviaryWire
import Testing

/// Found by the replica simulation (`aviary-sim --replicas`, seeds 18, 41, 43, 81… before the fix): a request
/// on a session that is closing was refused at once, ahead of the replies still due for earlier requests.
struct ExpiringSessionOrderTests {
    @Test func aRequestOnAnExpiringSessionIsRefusedAfterTheRepliesDueBeforeIt() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        #expect(harness.send(1, xid: 1, Request.create("/a")) == ["log zxid=2 create"])
        // 4000 ms at 2000 ms per tick: the session expires at the third tick, its create still in flight.
        harness.handle(.tick)
        harness.handle(.tick)
        #expect(harness.handle(.tick) == ["log zxid=3 closeSession"])
        #expect(harness.send(1, xid: 2, Request.getData("/a")) == [])
        #expect(
            harness.commitAll() == [
                "c1 reply xid=1 zxid=2 err=0 /a", "c1 reply xid=2 zxid=2 err=-112", "c1 close",
            ])
    }
}
