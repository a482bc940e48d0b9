import AviaryDataTree
import AviaryWire
import Testing

/// closeSession lists the session's ephemerals, including ones still pending, in its txn and deletes them.
struct CloseSessionTests {
    static let session = TreeFixture.session
    static let other = TreeFixture.otherSession

    /// The paths a closeSession txn lists (in ZooKeeper's hash-set order, which these tests do not pin down).
    static func listed(_ txn: Txn) -> Set<String>? {
        guard case .closeSession(let paths) = txn.body, let paths, Set(paths).count == paths.count else { return nil }
        return Set(paths)
    }

    @Test func closeSessionDeletesTheSessionsEphemeralsAndNothingElse() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.create("/p/e1", mode: .ephemeral))
        try fixture.write(Op.create("/e2", mode: .ephemeralSequential))
        try fixture.write(Op.create("/theirs", mode: .ephemeral), session: Self.other)
        let txn = try fixture.prepare(.closeSession)
        #expect(Self.listed(txn) == ["/e20000000001", "/p/e1"])
        let result = fixture.apply(txn)
        #expect(result.errorCode == 0)
        #expect(fixture.stat("/p/e1") == nil)
        #expect(fixture.stat("/e20000000001") == nil)
        #expect(fixture.stat("/theirs") != nil)
        #expect(fixture.stat("/p") != nil)
        #expect(fixture.tree.ephemerals(of: Self.session).isEmpty)
        #expect(fixture.tree.ephemerals(of: Self.other) == ["/theirs"])
    }

    @Test func aPendingEphemeralIsListedAndDeleted() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/e1", mode: .ephemeral))
        let create = try fixture.prepare(Op.create("/e2", mode: .ephemeral))
        let close = try fixture.prepare(.closeSession)
        #expect(Self.listed(close) == ["/e1", "/e2"])
        fixture.apply(create)
        fixture.apply(close)
        #expect(fixture.stat("/e1") == nil)
        #expect(fixture.stat("/e2") == nil)
        #expect(fixture.tree.ephemerals(of: Self.session).isEmpty)
    }

    @Test func anEphemeralWhoseDeleteIsPendingIsNotListed() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/e1", mode: .ephemeral))
        try fixture.write(Op.create("/e2", mode: .ephemeral))
        let delete = try fixture.prepare(Op.delete("/e1"))
        let close = try fixture.prepare(.closeSession)
        #expect(Self.listed(close) == ["/e2"])
        fixture.apply(delete)
        fixture.apply(close)
        #expect(fixture.tree.allPaths().filter { $0.hasPrefix("/e") }.isEmpty)
    }

    @Test func pendingCloseMakesTheEphemeralsMissingForLaterRequests() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/e", mode: .ephemeral))
        _ = try fixture.prepare(.closeSession)
        #expect(fixture.code(Op.setData("/e"), session: Self.other) == KeeperError.noNode.rawValue)
    }

    @Test func closingFiresDeletedAndChildrenChangedWatches() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.create("/p/e", mode: .ephemeral))
        _ = try fixture.read(Op.exists("/p/e", watch: true), watcher: 3)
        _ = try fixture.read(Op.getChildren("/p", watch: true), watcher: 4)
        let zxid = fixture.nextZxid
        try fixture.write(.closeSession)
        #expect(fixture.takeEvents() == ["3 NodeDeleted /p/e", "4 NodeChildrenChanged /p"])
        #expect(fixture.stat("/p")?.pzxid == zxid)
        #expect(fixture.stat("/p")?.cversion == 2)
    }

    @Test func aSessionWithoutEphemeralsClosesWithAnEmptyList() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/persistent"))
        #expect(try fixture.prepare(.closeSession).body == .closeSession(pathsToDelete: []))
    }

    @Test func aPreThreeSixCloseTxnWithoutPathsStillDeletesTheSessionsEphemerals() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/e", mode: .ephemeral))
        let header = TxnHeader(
            clientId: Self.session, cxid: 0, zxid: fixture.nextZxid, time: fixture.time,
            type: OpCode.closeSession.rawValue)
        fixture.apply(Txn(header: header, body: .closeSession(pathsToDelete: nil)))
        #expect(fixture.stat("/e") == nil)
    }
}
