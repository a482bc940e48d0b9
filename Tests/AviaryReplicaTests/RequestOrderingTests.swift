import AviaryDataTree
import AviaryReplica
import AviaryWire
import Testing

/// Per-connection FIFO: a write is answered once its txn is logged and applied, and everything the connection
/// sent after it waits for that reply. Watch events a write fires go out before its reply.
struct RequestOrderingTests {
    @Test func aWriteIsAnsweredOnlyOnceItsTxnIsLogged() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        #expect(harness.send(1, xid: 1, Request.create("/a", "v")) == ["log zxid=2 create"])
        let txn = try #require(harness.logged[2])
        #expect(txn.header.cxid == 1)
        #expect(txn.header.clientId == ReplicaHarness.firstSessionId)
        #expect(harness.commitAll() == ["c1 reply xid=1 zxid=2 err=0 /a"])
    }

    @Test func readAfterWriteWaitsForTheWrite() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        #expect(harness.send(1, xid: 1, Request.create("/a", "v")) == ["log zxid=2 create"])
        #expect(harness.send(1, xid: 2, Request.getData("/a")) == [])
        #expect(harness.send(1, xid: 3, .ping) == [])
        #expect(
            harness.commitAll() == [
                "c1 reply xid=1 zxid=2 err=0 /a", "c1 reply xid=2 zxid=2 err=0 data=v", "c1 reply xid=3 zxid=2 err=0",
            ])
    }

    @Test func aReadBetweenTwoWritesIsAnsweredBetweenTheirReplies() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        _ = harness.send(1, xid: 1, Request.create("/a", "1"))
        _ = harness.send(1, xid: 2, Request.getData("/a"))
        _ = harness.send(1, xid: 3, Request.setData("/a", "2"))
        _ = harness.send(1, xid: 4, Request.getData("/a"))
        #expect(
            harness.handle(.logAppended(through: 2)) == [
                "c1 reply xid=1 zxid=2 err=0 /a", "c1 reply xid=2 zxid=2 err=0 data=1",
            ])
        #expect(
            harness.handle(.logAppended(through: 3)) == [
                "c1 reply xid=3 zxid=3 err=0 version=1", "c1 reply xid=4 zxid=3 err=0 data=2",
            ])
    }

    @Test func aReadWithNothingOutstandingIsAnsweredAtOnceWithTheLastZxid() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.write(1, xid: 1, Request.create("/a", "v"))
        #expect(harness.send(1, xid: 2, Request.getData("/a")) == ["c1 reply xid=2 zxid=2 err=0 data=v"])
        #expect(harness.send(1, xid: 3, Request.getData("/missing")) == ["c1 reply xid=3 zxid=2 err=-101"])
    }

    @Test func anotherConnectionsReadDoesNotWaitAndSeesTheTreeAsApplied() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        _ = harness.send(1, xid: 1, Request.create("/a", "v"))
        #expect(harness.send(2, xid: 1, Request.getData("/a")) == ["c2 reply xid=1 zxid=2 err=-101"])
    }

    @Test func aFailedWriteStillTakesAZxidAndItsPlaceInLine() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        #expect(harness.send(1, xid: 1, Request.create("/missing/a")) == ["log zxid=2 error"])
        #expect(try #require(harness.logged[2]).body == .error(KeeperError.noNode.rawValue))
        #expect(harness.send(1, xid: 2, Request.exists("/")) == [])
        #expect(harness.commitAll() == ["c1 reply xid=1 zxid=2 err=-101", "c1 reply xid=2 zxid=2 err=0 version=0"])
        #expect(harness.send(1, xid: 3, Request.create("/b")) == ["log zxid=3 create"])
    }

    @Test func aWatchEventGoesOutBeforeTheReplyOfTheWriteThatFiredIt() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        #expect(harness.send(1, xid: 1, Request.exists("/w", watch: true)) == ["c1 reply xid=1 zxid=2 err=-101"])
        #expect(harness.send(2, xid: 1, Request.getData("/", watch: true)) == ["c2 reply xid=1 zxid=2 err=0 data="])
        _ = harness.send(1, xid: 2, .getChildren(PathWatchRequest(path: "/", watch: true)))
        #expect(harness.send(1, xid: 3, Request.create("/w")) == ["log zxid=3 create"])
        #expect(
            harness.commitAll() == [
                "c1 event NodeCreated /w", "c1 event NodeChildrenChanged /", "c1 reply xid=3 zxid=3 err=0 /w",
            ])
    }

    @Test func aWatcherOnAnotherConnectionHearsBeforeTheWriterGetsItsReply() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        _ = harness.send(2, xid: 1, Request.exists("/w", watch: true))
        _ = harness.send(1, xid: 1, Request.create("/w"))
        #expect(harness.commitAll() == ["c2 event NodeCreated /w", "c1 reply xid=1 zxid=3 err=0 /w"])
    }

    @Test func aConnectionWithoutReadOnTheNodeIsNotTold() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        _ = harness.send(2, xid: 1, Request.exists("/secret", watch: true))
        _ = harness.send(1, xid: -4, Request.auth("alice:secret"), identity: .authenticated([ReplicaHarness.alice]))
        let aliceOnly = [ACL(.all, ReplicaHarness.alice)]
        _ = harness.send(1, xid: 1, Request.exists("/secret", watch: true))
        _ = harness.send(1, xid: 2, Request.create("/secret", acl: aliceOnly))
        #expect(harness.commitAll() == ["c1 event NodeCreated /secret", "c1 reply xid=2 zxid=3 err=0 /secret"])
    }

    @Test func aDisconnectedWatcherIsForgotten() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.openSession(2)
        _ = harness.send(2, xid: 1, Request.exists("/w", watch: true))
        harness.handle(.disconnected(2))
        _ = harness.send(1, xid: 1, Request.create("/w"))
        #expect(harness.commitAll() == ["c1 reply xid=1 zxid=3 err=0 /w"])
    }

    @Test func setWatchesSendsTheEventsOfWhatChangedBeforeItsReply() {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.write(1, xid: 1, Request.create("/a"))
        harness.write(1, xid: 2, Request.setData("/a", "x"))
        let request = SetWatchesRequest(relativeZxid: 2, dataWatches: ["/a"], existWatches: ["/b", "/a"])
        let header = RequestHeader(xid: SpecialXid.setWatches, opCode: .setWatches)
        #expect(
            harness.handle(.request(1, header, .setWatches(request, opCode: .setWatches), identity: nil)) == [
                "c1 event NodeDataChanged /a", "c1 event NodeCreated /a", "c1 reply xid=-8 zxid=3 err=0",
            ])
        _ = harness.send(1, xid: 3, Request.create("/b"))
        #expect(harness.commitAll() == ["c1 event NodeCreated /b", "c1 reply xid=3 zxid=4 err=0 /b"])
    }
}
