import AviaryDataTree
import AviaryWire
import Testing

/// The sequential suffix is `%010d` of the parent's count of child *creations*: deletions do not advance it,
/// although the cversion clients see counts them.
struct SequentialNodeTests {
    @Test func suffixCountsCreationsUnderTheParent() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        var names: [String?] = []
        for _ in 0..<3 {
            names.append(try fixture.write(Op.create("/q/s-", mode: .persistentSequential)).path)
        }
        #expect(names == ["/q/s-0000000000", "/q/s-0000000001", "/q/s-0000000002"])
    }

    @Test func deletionsDoNotAdvanceTheSuffixAlthoughTheyAdvanceTheVisibleCversion() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        try fixture.write(Op.create("/q/a"))
        try fixture.write(Op.delete("/q/a"))
        #expect(fixture.stat("/q")?.cversion == 2)
        let result = try fixture.write(Op.create("/q/s-", mode: .ephemeralSequential))
        #expect(result.path == "/q/s-0000000001")
        #expect(fixture.stat("/q")?.cversion == 3)
    }

    @Test func otherChildrenAndFailedCreatesCountAsZooKeeperCountsThem() throws {
        // The captured session: /golden/a, a failed create of /golden/a, /golden/eph, then seq- became seq-0000000002.
        var fixture = TreeFixture()
        try fixture.write(Op.create("/golden"))
        try fixture.write(Op.create("/golden/a"))
        #expect(fixture.code(Op.create("/golden/a")) == KeeperError.nodeExists.rawValue)
        try fixture.write(Op.create("/golden/eph", mode: .ephemeral))
        #expect(
            try fixture.write(Op.create("/golden/seq-", mode: .persistentSequential)).path == "/golden/seq-0000000002")
    }

    @Test func aSequentialNameUnderAParentWithATrailingSlashIsTheNumberAlone() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        #expect(try fixture.write(Op.create("/q/", mode: .persistentSequential)).path == "/q/0000000000")
    }

    @Test func sequentialNamesOfRootChildrenCountTheRootsCreations() throws {
        var fixture = TreeFixture()
        // /zookeeper is built in, not created: the root's creation count starts at 0.
        let first = try fixture.write(Op.create("/n-", mode: .persistentSequential)).path
        let second = try fixture.write(Op.create("/n-", mode: .persistentSequential)).path
        #expect(first == "/n-0000000000")
        #expect(second == "/n-0000000001")
    }

    @Test func theTxnCarriesTheFullNameAndTheParentsNewCreationCount() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        let txn = try fixture.prepare(Op.create("/q/s-", "d", mode: .persistentSequential))
        #expect(
            txn.body
                == .create(
                    path: "/q/s-0000000000", data: Array("d".utf8), acl: ACL.openUnsafe, ephemeral: false,
                    parentCVersion: 1, opCode: .create))
    }

    @Test func sequentialTTLNodesAreNumberedLikeTheOthers() throws {
        var fixture = TreeFixture()
        fixture.extendedTypesEnabled = true
        try fixture.write(Op.create("/q"))
        let result = try fixture.write(Op.createTTL("/q/t-", ttl: 100, mode: .persistentSequentialWithTTL))
        #expect(result.path == "/q/t-0000000000")
    }
}
