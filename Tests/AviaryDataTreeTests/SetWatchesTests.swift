import AviaryDataTree
import AviaryWire
import Testing

/// setWatches re-arms a reconnecting client's watches relative to the last zxid it saw: what changed after it
/// fires at once (data: deleted → NodeDeleted, mzxid > rel → NodeDataChanged; exist: present → NodeCreated;
/// child: missing → NodeDeleted, pzxid > rel → NodeChildrenChanged); everything else is registered.
struct SetWatchesTests {
    /// /d (data changed at zxid 4), /c (a child created at zxid 5), /quiet (nothing after zxid 3).
    static func reconnectTree() throws -> TreeFixture {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/d"))
        try fixture.write(Op.create("/c"))
        try fixture.write(Op.create("/quiet"))
        try fixture.write(Op.setData("/d"))
        try fixture.write(Op.create("/c/x"))
        return fixture
    }

    static func events(_ notifications: [WatchNotification]) -> [String] {
        notifications.map { "\(TreeFixture.name(of: $0.event.type)) \($0.event.path)" }
    }

    @Test(
        arguments: [
            ("/d", 3, ["NodeDataChanged /d"]),
            ("/d", 4, []),
            ("/quiet", 0, ["NodeDataChanged /quiet"]),
            ("/quiet", 3, []),
            ("/gone", 5, ["NodeDeleted /gone"]),
        ] as [(String, Int64, [String])])
    func dataWatchFiresWhenTheNodeChangedOrWentAfterTheRelativeZxid(
        path: String, relativeZxid: Int64, expected: [String]
    ) throws {
        var fixture = try Self.reconnectTree()
        let fired = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: relativeZxid, dataWatches: [path]), watcher: 1, zxid: 5)
        #expect(Self.events(fired) == expected)
        #expect(fixture.tree.dataWatches.contains(path: path, watcher: 1) == expected.isEmpty)
    }

    @Test(
        arguments: [
            ("/d", 100, ["NodeCreated /d"]),
            ("/gone", 0, []),
        ] as [(String, Int64, [String])])
    func existWatchFiresWhenTheNodeIsPresentAndIsSetWhenItIsNot(
        path: String, relativeZxid: Int64, expected: [String]
    ) throws {
        var fixture = try Self.reconnectTree()
        let fired = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: relativeZxid, existWatches: [path]), watcher: 1, zxid: 5)
        #expect(Self.events(fired) == expected)
        #expect(fixture.tree.dataWatches.contains(path: path, watcher: 1) == expected.isEmpty)
    }

    @Test(
        arguments: [
            ("/c", 4, ["NodeChildrenChanged /c"]),
            ("/c", 5, []),
            ("/d", 3, []),
            ("/gone", 5, ["NodeDeleted /gone"]),
        ] as [(String, Int64, [String])])
    func childWatchFiresWhenChildrenChangedOrTheNodeWentAfterTheRelativeZxid(
        path: String, relativeZxid: Int64, expected: [String]
    ) throws {
        var fixture = try Self.reconnectTree()
        let fired = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: relativeZxid, childWatches: [path]), watcher: 1, zxid: 5)
        #expect(Self.events(fired) == expected)
        #expect(fixture.tree.childWatches.contains(path: path, watcher: 1) == expected.isEmpty)
    }

    @Test func eventsAreAddressedToTheReconnectingWatcherWithTheGivenZxid() throws {
        var fixture = try Self.reconnectTree()
        let fired = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: 0, dataWatches: ["/d"], existWatches: ["/c"], childWatches: ["/c"]),
            watcher: 42, zxid: 5)
        #expect(fired.map(\.watcher) == [42, 42, 42])
        #expect(fired.map(\.zxid) == [5, 5, 5])
        #expect(Self.events(fired) == ["NodeDataChanged /d", "NodeCreated /c", "NodeChildrenChanged /c"])
    }

    @Test func reArmedWatchesFireOnTheNextChange() throws {
        var fixture = try Self.reconnectTree()
        _ = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: 5, dataWatches: ["/quiet"], existWatches: ["/new"], childWatches: ["/c"]),
            watcher: 1, zxid: 5)
        try fixture.write(Op.setData("/quiet"))
        try fixture.write(Op.create("/new"))
        try fixture.write(Op.create("/c/y"))
        try fixture.write(Op.setData("/quiet"))
        #expect(
            fixture.takeEvents() == ["1 NodeDataChanged /quiet", "1 NodeCreated /new", "1 NodeChildrenChanged /c"])
    }

    @Test func persistentListsAreRegisteredWithTheirModesAndFireNothingAtOnce() throws {
        var fixture = try Self.reconnectTree()
        let fired = fixture.tree.setWatches(
            SetWatchesRequest(relativeZxid: 0, persistentWatches: ["/d"], persistentRecursiveWatches: ["/c"]),
            watcher: 1, zxid: 5)
        #expect(fired.isEmpty)
        try fixture.write(Op.setData("/d"))
        try fixture.write(Op.setData("/d"))
        try fixture.write(Op.create("/c/x/deep"))
        #expect(
            fixture.takeEvents() == ["1 NodeDataChanged /d", "1 NodeDataChanged /d", "1 NodeCreated /c/x/deep"])
    }
}
