import AviaryDataTree
import AviaryWire
import Testing

/// Standard watches fire once: data watches (getData, and exists on a present or missing node) on created,
/// changed and deleted; child watches (getChildren) on child changes and deletion.
struct OneShotWatchTests {
    @Test func getDataWatchFiresOnceOnChange() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 5)
        try fixture.write(Op.setData("/a"))
        try fixture.write(Op.setData("/a"))
        #expect(fixture.takeEvents() == ["5 NodeDataChanged /a"])
    }

    @Test func getDataWatchFiresOnDeleteButNotOnChildChanges() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 5)
        try fixture.write(Op.create("/a/c"))
        try fixture.write(Op.delete("/a/c"))
        try fixture.write(Op.delete("/a/b"))
        #expect(fixture.takeEvents() == [])
        try fixture.write(Op.delete("/a"))
        #expect(fixture.takeEvents() == ["5 NodeDeleted /a"])
    }

    @Test func notificationCarriesTheZxidOfTheTxnThatFiredIt() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 5)
        let zxid = fixture.nextZxid
        try fixture.write(Op.setData("/a"))
        #expect(fixture.events.map(\.zxid) == [zxid])
        #expect(fixture.events.map(\.event.state) == [KeeperState.syncConnected.rawValue])
    }

    @Test func existsWatchOnAMissingNodeIsSetAndFiresOnCreate() throws {
        var fixture = TreeFixture()
        #expect(fixture.readCode(Op.exists("/w", watch: true), watcher: 2) == KeeperError.noNode.rawValue)
        #expect(fixture.tree.dataWatches.contains(path: "/w", watcher: 2))
        try fixture.write(Op.create("/w"))
        try fixture.write(Op.setData("/w"))
        #expect(fixture.takeEvents() == ["2 NodeCreated /w"])
    }

    @Test func existsWatchOnAPresentNodeFiresOnChangeAndOnDelete() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.exists("/a/b", watch: true), watcher: 2)
        try fixture.write(Op.setData("/a/b"))
        _ = try fixture.read(Op.exists("/a/b", watch: true), watcher: 2)
        try fixture.write(Op.delete("/a/b"))
        #expect(fixture.takeEvents() == ["2 NodeDataChanged /a/b", "2 NodeDeleted /a/b"])
    }

    @Test func existsWithoutWatchLeavesNoWatch() throws {
        var fixture = TreeFixture()
        _ = fixture.readCode(Op.exists("/w"), watcher: 2)
        try fixture.write(Op.create("/w"))
        #expect(fixture.takeEvents() == [])
    }

    @Test func childWatchFiresOnceOnChildCreateOrDelete() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 9)
        try fixture.write(Op.create("/a/c"))
        try fixture.write(Op.create("/a/d"))
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 9)
        try fixture.write(Op.delete("/a/d"))
        #expect(fixture.takeEvents() == ["9 NodeChildrenChanged /a", "9 NodeChildrenChanged /a"])
    }

    @Test func childWatchIgnoresDataChangesAndGrandchildren() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 9)
        try fixture.write(Op.setData("/a"))
        try fixture.write(Op.setData("/a/b"))
        try fixture.write(Op.create("/a/b/g"))
        #expect(fixture.takeEvents() == [])
    }

    @Test func childWatchFiresNodeDeletedWhenTheNodeGoes() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getChildren("/a/b", watch: true), watcher: 9)
        try fixture.write(Op.delete("/a/b"))
        #expect(fixture.takeEvents() == ["9 NodeDeleted /a/b"])
    }

    @Test func aWatcherWithBothWatchesOnADeletedNodeHearsOnce() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a/b", watch: true), watcher: 4)
        _ = try fixture.read(Op.getChildren("/a/b", watch: true), watcher: 4)
        _ = try fixture.read(Op.getChildren("/a/b", watch: true), watcher: 6)
        try fixture.write(Op.delete("/a/b"))
        #expect(fixture.takeEvents() == ["4 NodeDeleted /a/b", "6 NodeDeleted /a/b"])
    }

    @Test func deleteFiresTheNodesWatchesBeforeTheParentsChildWatch() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 1)
        _ = try fixture.read(Op.getData("/a/b", watch: true), watcher: 2)
        try fixture.write(Op.delete("/a/b"))
        #expect(fixture.takeEvents() == ["2 NodeDeleted /a/b", "1 NodeChildrenChanged /a"])
    }

    @Test func createFiresTheNodesWatchesBeforeTheParentsChildWatch() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 1)
        _ = fixture.readCode(Op.exists("/a/n", watch: true), watcher: 2)
        try fixture.write(Op.create("/a/n"))
        #expect(fixture.takeEvents() == ["2 NodeCreated /a/n", "1 NodeChildrenChanged /a"])
    }

    @Test func aFailedReadLeavesNoWatch() throws {
        var fixture = TreeFixture.standard()
        #expect(fixture.readCode(Op.getData("/alice", watch: true), watcher: 3) == KeeperError.noAuth.rawValue)
        #expect(fixture.readCode(Op.getData("/missing", watch: true), watcher: 3) == KeeperError.noNode.rawValue)
        #expect(fixture.readCode(Op.getChildren("/missing", watch: true), watcher: 3) == KeeperError.noNode.rawValue)
        #expect(fixture.tree.watchCount == 0)
    }

    @Test func disconnectRemovesEveryWatchOfTheConnection() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 3)
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 3)
        _ = try fixture.read(Op.addWatch("/a/b", .persistentRecursive), watcher: 3)
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 8)
        fixture.tree.removeWatcher(3)
        try fixture.write(Op.setData("/a"))
        try fixture.write(Op.create("/a/c"))
        try fixture.write(Op.setData("/a/b"))
        #expect(fixture.takeEvents() == ["8 NodeDataChanged /a"])
        #expect(fixture.tree.dataWatches.watcherCount == 0)
        #expect(fixture.tree.childWatches.watcherCount == 0)
    }

    @Test func removeWatchesRemovesTheCallersWatchOnceThenSaysNoWatcher() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 3)
        let remove = ClientRequest.removeWatches(PathTypeRequest(path: "/a", type: WatcherType.data.rawValue))
        #expect(fixture.readCode(remove, watcher: 4) == KeeperError.noWatcher.rawValue)
        #expect(fixture.readCode(remove, watcher: 3) == 0)
        #expect(fixture.readCode(remove, watcher: 3) == KeeperError.noWatcher.rawValue)
        try fixture.write(Op.setData("/a"))
        #expect(fixture.takeEvents() == [])
    }

    @Test func removeWatchesOfChildrenLeavesTheDataWatch() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 3)
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 3)
        let remove = ClientRequest.removeWatches(PathTypeRequest(path: "/a", type: WatcherType.children.rawValue))
        #expect(fixture.readCode(remove, watcher: 3) == 0)
        try fixture.write(Op.create("/a/c"))
        try fixture.write(Op.setData("/a"))
        #expect(fixture.takeEvents() == ["3 NodeDataChanged /a"])
    }

    /// The connection is told only if it may READ the node the event is about (checked where events are routed).
    @Test func eachEventCarriesTheACLOfTheNodeItIsAbout() throws {
        var fixture = TreeFixture()
        let aliceOnly = [ACL(.all, TreeFixture.alice)]
        try fixture.write(Op.create("/p", acl: aliceOnly))
        _ = try fixture.read(Op.getChildren("/p", watch: true), auth: [TreeFixture.alice], watcher: 1)
        _ = fixture.readCode(Op.exists("/p/c", watch: true), watcher: 2)
        try fixture.write(Op.create("/p/c", acl: [.readOnly()]), auth: [TreeFixture.alice])
        #expect(fixture.events.map(\.acl) == [[.readOnly()], aliceOnly])
        #expect(fixture.takeEvents() == ["2 NodeCreated /p/c", "1 NodeChildrenChanged /p"])
        _ = try fixture.read(Op.getData("/p/c", watch: true), watcher: 2)
        _ = try fixture.read(Op.getChildren("/p", watch: true), auth: [TreeFixture.alice], watcher: 1)
        try fixture.write(Op.delete("/p/c"), auth: [TreeFixture.alice])
        #expect(fixture.events.map(\.acl) == [[.readOnly()], aliceOnly])
    }
}
