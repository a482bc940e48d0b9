import AviaryDataTree
import AviaryWire
import Testing

/// addWatch: PERSISTENT stays after firing and hears every event of its node; PERSISTENT_RECURSIVE also hears
/// every descendant, and never NodeChildrenChanged. One connection holds one mode per path (ZooKeeper 3.8): a
/// later watch on the same path replaces the earlier one's mode.
struct PersistentWatchTests {
    @Test func addWatchAnswersWithAnErrorResponseOfZero() throws {
        var fixture = TreeFixture()
        #expect(try fixture.read(Op.addWatch("/p", .persistent)) == .error(0))
    }

    @Test func aPersistentWatchHearsEveryEventOfItsNodeAndStays() throws {
        var fixture = TreeFixture()
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.setData("/p"))
        try fixture.write(Op.setData("/p"))
        try fixture.write(Op.create("/p/c"))
        try fixture.write(Op.create("/p/c/g"))
        try fixture.write(Op.setData("/p/c"))
        try fixture.write(Op.delete("/p/c/g"))
        try fixture.write(Op.delete("/p/c"))
        try fixture.write(Op.delete("/p"))
        try fixture.write(Op.create("/p"))
        #expect(
            fixture.takeEvents() == [
                "1 NodeCreated /p", "1 NodeDataChanged /p", "1 NodeDataChanged /p", "1 NodeChildrenChanged /p",
                "1 NodeChildrenChanged /p", "1 NodeDeleted /p", "1 NodeCreated /p",
            ])
    }

    @Test func aRecursiveWatchHearsTheNodeAndEveryDescendantButNoChildrenChanged() throws {
        var fixture = TreeFixture()
        _ = try fixture.read(Op.addWatch("/r", .persistentRecursive), watcher: 1)
        try fixture.write(Op.create("/r"))
        try fixture.write(Op.create("/r/x"))
        try fixture.write(Op.create("/r/x/y"))
        try fixture.write(Op.setData("/r/x/y"))
        try fixture.write(Op.delete("/r/x/y"))
        try fixture.write(Op.setData("/r"))
        try fixture.write(Op.create("/rr"))
        #expect(
            fixture.takeEvents() == [
                "1 NodeCreated /r", "1 NodeCreated /r/x", "1 NodeCreated /r/x/y", "1 NodeDataChanged /r/x/y",
                "1 NodeDeleted /r/x/y", "1 NodeDataChanged /r",
            ])
    }

    @Test func aRecursiveWatchOnTheRootHearsTheWholeTree() throws {
        var fixture = TreeFixture()
        _ = try fixture.read(Op.addWatch("/", .persistentRecursive), watcher: 1)
        try fixture.write(Op.create("/a"))
        try fixture.write(Op.create("/a/b"))
        #expect(fixture.takeEvents() == ["1 NodeCreated /a", "1 NodeCreated /a/b"])
    }

    @Test func aRecursiveWatchAndAChildWatchOfAnotherConnectionBothHear() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/r"))
        _ = try fixture.read(Op.addWatch("/r", .persistentRecursive), watcher: 1)
        _ = try fixture.read(Op.getChildren("/r", watch: true), watcher: 2)
        try fixture.write(Op.create("/r/x"))
        #expect(fixture.takeEvents() == ["1 NodeCreated /r/x", "2 NodeChildrenChanged /r"])
    }

    @Test func aStandardWatchAfterAPersistentOneOnTheSamePathMakesItOneShot() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        _ = try fixture.read(Op.getData("/p", watch: true), watcher: 1)
        try fixture.write(Op.setData("/p"))
        try fixture.write(Op.setData("/p"))
        #expect(fixture.takeEvents() == ["1 NodeDataChanged /p"])
    }

    @Test func aPersistentWatchAfterAStandardOneOnTheSamePathMakesItStay() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        _ = try fixture.read(Op.getData("/p", watch: true), watcher: 1)
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        try fixture.write(Op.setData("/p"))
        try fixture.write(Op.setData("/p"))
        #expect(fixture.takeEvents() == ["1 NodeDataChanged /p", "1 NodeDataChanged /p"])
    }

    @Test func aPersistentWatchReplacesARecursiveOneOnTheSamePath() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        _ = try fixture.read(Op.addWatch("/p", .persistentRecursive), watcher: 1)
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        try fixture.write(Op.create("/p/c"))
        try fixture.write(Op.setData("/p/c"))
        #expect(fixture.takeEvents() == ["1 NodeChildrenChanged /p"])
        #expect(fixture.tree.dataWatches.watchCount == 1)
    }

    @Test func modesAreKeptPerConnection() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        _ = try fixture.read(Op.getData("/p", watch: true), watcher: 2)
        try fixture.write(Op.setData("/p"))
        try fixture.write(Op.setData("/p"))
        #expect(fixture.takeEvents() == ["1 NodeDataChanged /p", "2 NodeDataChanged /p", "1 NodeDataChanged /p"])
    }

    @Test func anUnknownAddWatchModeIsAMarshallingError() {
        var fixture = TreeFixture()
        let request = ClientRequest.addWatch(PathTypeRequest(path: "/p", type: 2))
        #expect(fixture.readCode(request) == KeeperError.marshallingError.rawValue)
    }

    @Test func removingAPersistentWatchStopsIt() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        _ = try fixture.read(Op.addWatch("/p", .persistent), watcher: 1)
        let remove = ClientRequest.removeWatches(PathTypeRequest(path: "/p", type: WatcherType.any.rawValue))
        #expect(fixture.readCode(remove, watcher: 1) == 0)
        try fixture.write(Op.setData("/p"))
        #expect(fixture.takeEvents() == [])
    }
}
