import AviaryDataTree
import AviaryReplica
import AviaryWire
import Testing

/// multi through the replica: the replies real ZooKeeper 3.8 sent for the captured kazoo session.
struct MultiReplyTests {
    static func multi(_ operations: [MultiOperation]) -> ClientRequest { .multi(MultiRequest(operations: operations)) }

    static func lastReply(_ harness: ReplicaHarness) -> (ReplyHeader, ResponseBody)? {
        for case .reply(_, let header, let body) in harness.lastEffects.reversed() { return (header, body) }
        return nil
    }

    @Test func aSuccessfulMultiAnswersEachOpWithItsOwnResult() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.write(1, xid: 1, Request.create("/a", "hello"))
        harness.write(1, xid: 2, Request.create("/k2", "k"))
        let request = Self.multi([
            .check(CheckVersionRequest(path: "/a", version: 0)),
            .create(CreateRequest(path: "/txn", data: Array("t".utf8), acl: ACL.openUnsafe, flags: 0), opCode: .create),
            .setData(SetDataRequest(path: "/a", data: Array("txn".utf8))),
            .delete(DeleteRequest(path: "/k2")),
        ])
        #expect(harness.send(1, xid: 4, request) == ["log zxid=4 multi"])
        harness.commitAll()
        let (header, body) = try #require(Self.lastReply(harness))
        #expect(header == ReplyHeader(xid: 4, zxid: 4, err: 0))
        let stat = try #require(harness.replica.tree.node(at: "/a")).clientStat
        #expect(body == .multi([.check, .create(path: "/txn"), .setData(stat), .delete]))
        #expect(stat.version == 1)
        #expect(stat.mzxid == 4)
    }

    /// ZooKeeper 3.8 sends a failed multi's results under a header whose err is 0.
    @Test func aFailedMultiAnswersOkThenTheFailureThenRuntimeInconsistencyUnderAZeroHeader() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        harness.write(1, xid: 1, Request.create("/a", "hello"))
        let request = Self.multi([
            .create(
                CreateRequest(path: "/txn2", data: Array("t2".utf8), acl: ACL.openUnsafe, flags: 0), opCode: .create),
            .check(CheckVersionRequest(path: "/a", version: 999)),
            .setData(SetDataRequest(path: "/a", data: Array("never".utf8))),
        ])
        #expect(harness.send(1, xid: 5, request) == ["log zxid=3 multi"])
        harness.commitAll()
        let (header, body) = try #require(Self.lastReply(harness))
        #expect(header == ReplyHeader(xid: 5, zxid: 3, err: 0))
        #expect(
            body
                == .multi([
                    .error(0), .error(KeeperError.badVersion.rawValue),
                    .error(KeeperError.runtimeInconsistency.rawValue),
                ]))
        #expect(harness.replica.tree.node(at: "/txn2") == nil)
    }

    @Test func aMultiRefusedWholeAnswersItsCodeWithNoBody() throws {
        var harness = ReplicaHarness()
        harness.openSession(1)
        let request = Self.multi([
            .getData(PathWatchRequest(path: "/")), .check(CheckVersionRequest(path: "/", version: 0)),
        ])
        #expect(harness.send(1, xid: 6, request) == ["log zxid=2 error"])
        #expect(harness.commitAll() == ["c1 reply xid=6 zxid=2 err=-5"])
    }
}
