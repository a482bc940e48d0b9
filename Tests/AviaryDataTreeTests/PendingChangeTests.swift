import AviaryDataTree
import AviaryWire
import Testing

/// A second request is prepared against the tree as the first will leave it, before the first is applied
/// (ZooKeeper's outstanding changes).
struct PendingChangeTests {
    @Test func aChildCanBePreparedUnderAParentThatIsOnlyPending() throws {
        var fixture = TreeFixture()
        let parent = try fixture.prepare(Op.create("/p"))
        let child = try fixture.prepare(Op.create("/p/c"))
        #expect(fixture.tree.node(at: "/p") == nil)
        fixture.apply(parent)
        fixture.apply(child)
        #expect(fixture.children("/p") == ["c"])
        #expect(fixture.pending.isEmpty)
    }

    @Test func aPendingCreateMakesASecondCreateOfThePathFail() throws {
        var fixture = TreeFixture()
        _ = try fixture.prepare(Op.create("/p"))
        #expect(fixture.code(Op.create("/p")) == KeeperError.nodeExists.rawValue)
    }

    @Test func aPendingDeleteMakesTheNodeMissing() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.prepare(Op.delete("/a/b"))
        #expect(fixture.code(Op.setData("/a/b")) == KeeperError.noNode.rawValue)
        // The parent is no longer counted as having a child.
        #expect(throws: Never.self) { try fixture.prepare(Op.delete("/a")) }
    }

    @Test func aPendingSetDataAdvancesTheVersionTheNextRequestChecks() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.prepare(Op.setData("/a", version: 0))
        #expect(fixture.code(Op.setData("/a", version: 0)) == KeeperError.badVersion.rawValue)
        #expect(throws: Never.self) { try fixture.prepare(Op.setData("/a", version: 1)) }
        #expect(throws: Never.self) { try fixture.prepare(Op.check("/a", version: 2)) }
    }

    @Test func aPendingSetACLIsTheACLTheNextRequestIsCheckedAgainst() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.prepare(Op.setACL("/a", [.readOnly()]))
        #expect(fixture.code(Op.setData("/a")) == KeeperError.noAuth.rawValue)
    }

    @Test func pendingSequentialCreatesTakeSuccessiveNumbers() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        let first = try fixture.prepare(Op.create("/q/s-", mode: .persistentSequential))
        let second = try fixture.prepare(Op.create("/q/s-", mode: .persistentSequential))
        #expect(fixture.apply(first).path == "/q/s-0000000000")
        #expect(fixture.apply(second).path == "/q/s-0000000001")
    }

    @Test func aPendingEphemeralParentRefusesChildren() throws {
        var fixture = TreeFixture()
        _ = try fixture.prepare(Op.create("/e", mode: .ephemeral))
        #expect(fixture.code(Op.create("/e/c")) == KeeperError.noChildrenForEphemerals.rawValue)
    }

    @Test func appliedChangesAreForgottenInZxidOrder() throws {
        var fixture = TreeFixture()
        let first = try fixture.prepare(Op.create("/p"))
        let second = try fixture.prepare(Op.setData("/p", version: 0))
        #expect(fixture.pending.count == 3)
        fixture.apply(first)
        #expect(fixture.pending.count == 1)
        fixture.apply(second)
        #expect(fixture.pending.isEmpty)
        // With nothing pending the tree itself answers: the version is now 1.
        #expect(fixture.code(Op.setData("/p", version: 1)) == 0)
    }

    @Test func anAppliedChangeDoesNotHideALaterPendingOneOfTheSamePath() throws {
        var fixture = TreeFixture.standard()
        let first = try fixture.prepare(Op.setData("/a", version: 0))
        _ = try fixture.prepare(Op.setData("/a", version: 1))
        fixture.apply(first)
        #expect(fixture.code(Op.setData("/a", version: 1)) == KeeperError.badVersion.rawValue)
        #expect(throws: Never.self) { try fixture.prepare(Op.setData("/a", version: 2)) }
    }
}
