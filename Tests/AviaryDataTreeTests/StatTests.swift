import AviaryDataTree
import AviaryWire
import Testing

/// The Stat a client sees after each kind of write, and the parent's bookkeeping (cversion, pzxid, numChildren).
struct StatTests {
    @Test func createStampsTheNodeWithItsZxidAndTime() throws {
        var fixture = TreeFixture()
        let time = fixture.time
        let result = try fixture.write(Op.create("/a", "hello"))
        let expected = Stat(
            czxid: 1, mzxid: 1, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0,
            dataLength: 5, numChildren: 0, pzxid: 1)
        #expect(result.stat == expected)
        #expect(fixture.stat("/a") == expected)
        #expect(result.path == "/a")
        #expect(result.zxid == 1)
        #expect(fixture.tree.lastProcessedZxid == 1)
    }

    @Test func createBumpsTheParentsCversionAndPzxidButNotItsMzxid() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.create("/p/a"))
        try fixture.write(Op.create("/p/b"))
        let parent = try #require(fixture.stat("/p"))
        #expect(parent.cversion == 2)
        #expect(parent.numChildren == 2)
        #expect(parent.pzxid == 3)
        #expect(parent.mzxid == 1)
        #expect(parent.version == 0)
    }

    @Test func deleteCountsAsAChildChangeInTheVisibleCversion() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.create("/p/a"))
        try fixture.write(Op.create("/p/b"))
        try fixture.write(Op.delete("/p/a"))
        let parent = try #require(fixture.stat("/p"))
        // Three changes (two creations and one deletion): 2 * creations - numChildren.
        #expect(parent.cversion == 3)
        #expect(parent.numChildren == 1)
        #expect(parent.pzxid == 4)
        #expect(fixture.stat("/p/a") == nil)
    }

    @Test func setDataChangesVersionMzxidMtimeAndLengthOnly() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/a", "hello"))
        let created = try #require(fixture.stat("/a"))
        let setTime = fixture.time
        let result = try fixture.write(Op.setData("/a", "hi", version: 0))
        var expected = created
        expected.version = 1
        expected.mzxid = 2
        expected.mtime = setTime
        expected.dataLength = 2
        #expect(result.stat == expected)
        #expect(fixture.stat("/a") == expected)
        #expect(fixture.tree.node(at: "/a")?.data == Array("hi".utf8))
    }

    @Test func setDataWithNullDataStoresNullAndZeroLength() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/a", "hello"))
        try fixture.write(.setData(SetDataRequest(path: "/a", data: nil)))
        #expect(fixture.tree.node(at: "/a")?.data == nil)
        #expect(fixture.stat("/a")?.dataLength == 0)
    }

    @Test func setACLChangesOnlyTheAversion() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/a"))
        let created = try #require(fixture.stat("/a"))
        let result = try fixture.write(Op.setACL("/a", [.readOnly()], version: 0))
        var expected = created
        expected.aversion = 1
        #expect(result.stat == expected)
        #expect(fixture.stat("/a") == expected)
        let node = try #require(fixture.tree.node(at: "/a"))
        #expect(fixture.tree.acl(of: node) == [.readOnly()])
    }

    @Test func ephemeralOwnerIsTheSessionForEphemeralsAndZeroForContainersAndTTLNodes() throws {
        var fixture = TreeFixture()
        fixture.extendedTypesEnabled = true
        try fixture.write(Op.create("/e", mode: .ephemeral))
        try fixture.write(Op.container("/c"))
        try fixture.write(Op.createTTL("/t", ttl: 5000))
        #expect(fixture.stat("/e")?.ephemeralOwner == TreeFixture.session)
        #expect(fixture.stat("/c")?.ephemeralOwner == 0)
        #expect(fixture.stat("/t")?.ephemeralOwner == 0)
        #expect(fixture.tree.node(at: "/c")?.stat.ephemeralOwner == EphemeralOwner.container)
        #expect(fixture.tree.node(at: "/t")?.stat.ephemeralOwner == EphemeralOwner.ttl(millis: 5000))
        #expect(fixture.tree.containers == ["/c"])
        #expect(fixture.tree.ttlNodes == ["/t"])
        #expect(fixture.tree.ephemerals(of: TreeFixture.session) == ["/e"])
    }

    @Test func deletingNodesClearsTheContainerTTLAndEphemeralIndexes() throws {
        var fixture = TreeFixture()
        fixture.extendedTypesEnabled = true
        try fixture.write(Op.create("/e", mode: .ephemeral))
        try fixture.write(Op.container("/c"))
        try fixture.write(Op.createTTL("/t", ttl: 5000))
        for path in ["/e", "/c", "/t"] { try fixture.write(Op.delete(path)) }
        #expect(fixture.tree.containers.isEmpty)
        #expect(fixture.tree.ttlNodes.isEmpty)
        #expect(fixture.tree.ephemerals(of: TreeFixture.session).isEmpty)
    }

    @Test func createAndCreate2AnswerWithThePathAndTheNewStat() throws {
        var fixture = TreeFixture()
        let plain = try fixture.write(Op.create("/a"))
        let two = try fixture.write(Op.create2("/b"))
        #expect(plain.opCode == .create)
        #expect(two.opCode == .create2)
        #expect(two.path == "/b")
        #expect(two.stat?.czxid == 2)
    }

    @Test func pzxidOfANodeIsItsCzxidUntilAChildChanges() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/p"))
        try fixture.write(Op.setData("/p"))
        #expect(fixture.stat("/p")?.pzxid == 1)
        try fixture.write(Op.create("/p/c"))
        try fixture.write(Op.setData("/p/c"))
        #expect(fixture.stat("/p")?.pzxid == 3)
        try fixture.write(Op.delete("/p/c"))
        #expect(fixture.stat("/p")?.pzxid == 5)
    }

    @Test func getAllChildrenNumberCountsEveryDescendant() throws {
        var fixture = TreeFixture()
        for path in ["/g", "/g/a", "/g/a/x", "/g/b"] { try fixture.write(Op.create(path)) }
        #expect(try fixture.read(.getAllChildrenNumber(PathRequest(path: "/g"))) == .getAllChildrenNumber(3))
        #expect(try fixture.read(.getAllChildrenNumber(PathRequest(path: "/g/b"))) == .getAllChildrenNumber(0))
        // The root counts /zookeeper, /zookeeper/quota and /zookeeper/config as well.
        #expect(try fixture.read(.getAllChildrenNumber(PathRequest(path: "/"))) == .getAllChildrenNumber(7))
    }
}
