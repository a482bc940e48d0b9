import AviaryDataTree
import AviaryWire
import Testing

/// multi: one zxid for all ops, all or nothing, per-op results, and pending changes rolled back on failure.
struct MultiTests {
    @Test func aSuccessfulMultiAppliesEveryOpUnderOneZxid() throws {
        var fixture = TreeFixture.standard()
        let zxid = fixture.nextZxid
        let result = try fixture.write(
            Op.multi([
                MultiOp.check("/a", version: 0), MultiOp.create("/m"), MultiOp.setData("/a", "txn"),
                MultiOp.delete("/a/b"),
            ]))
        #expect(result.errorCode == 0)
        #expect(result.zxid == zxid)
        #expect(result.multiResults.map(\.opCode) == [.check, .create, .setData, .delete])
        #expect(result.multiResults.map(\.errorCode) == [0, 0, 0, 0])
        #expect(result.multiResults[1].path == "/m")
        #expect(result.multiResults[2].stat?.version == 1)
        #expect(fixture.stat("/m")?.czxid == zxid)
        #expect(fixture.stat("/a")?.mzxid == zxid)
        #expect(fixture.stat("/a/b") == nil)
        #expect(fixture.nextZxid == zxid + 1)
    }

    @Test func aFailedMultiAppliesNothingAndReportsOkThenTheFailureThenRuntimeInconsistency() throws {
        var fixture = TreeFixture.standard()
        let before = fixture.stat("/a")
        let txn = try fixture.prepare(
            Op.multi([MultiOp.create("/m"), MultiOp.check("/a", version: 99), MultiOp.setData("/a", "never")]))
        // The txn keeps the ops before the failure, so every replica can report the same results.
        guard case .multi(let bodies) = txn.body else {
            Issue.record("not a multi txn")
            return
        }
        #expect(bodies.count == 3)
        #expect(bodies[0].opCode == .create)
        #expect(bodies[1] == .error(KeeperError.badVersion.rawValue))
        #expect(bodies[2] == .error(KeeperError.runtimeInconsistency.rawValue))

        let result = fixture.apply(txn)
        #expect(result.errorCode == KeeperError.badVersion.rawValue)
        #expect(result.multiResults.map(\.opCode) == [.error, .error, .error])
        #expect(
            result.multiResults.map(\.errorCode) == [
                0, KeeperError.badVersion.rawValue, KeeperError.runtimeInconsistency.rawValue,
            ])
        #expect(fixture.stat("/m") == nil)
        #expect(fixture.stat("/a") == before)
        #expect(fixture.events.isEmpty)
    }

    @Test func aFailedMultiRollsBackItsPendingChangesSoTheNextRequestSeesTheTreeAsItWas() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.prepare(
            Op.multi([MultiOp.create("/m"), MultiOp.delete("/a/b"), MultiOp.check("/x", version: 0)]))
        #expect(fixture.pending.isEmpty)
        // Neither the create nor the delete of the failed multi is visible.
        #expect(throws: Never.self) { try fixture.prepare(Op.create("/m")) }
        #expect(throws: Never.self) { try fixture.prepare(Op.delete("/a/b")) }
    }

    @Test func rollbackRestoresAnEarlierPendingChangeOfTheSamePath() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.prepare(Op.create("/x"))
        _ = try fixture.prepare(Op.multi([MultiOp.setData("/x", version: 0), MultiOp.check("/missing", version: 0)]))
        // The failed multi's setData would have made the version 1.
        #expect(throws: Never.self) { try fixture.prepare(Op.setData("/x", version: 0)) }
    }

    @Test func rollbackRestoresTheParentsSequenceCounter() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/q"))
        _ = try fixture.prepare(Op.create("/q/s-", mode: .persistentSequential))
        _ = try fixture.prepare(
            Op.multi([MultiOp.create("/q/s-", mode: .persistentSequential), MultiOp.check("/missing", version: 0)]))
        let txn = try fixture.prepare(Op.create("/q/s-", mode: .persistentSequential))
        guard case .create(let path, _, _, _, let parentCVersion, _) = txn.body else {
            Issue.record("not a create txn")
            return
        }
        #expect(path == "/q/s-0000000001")
        #expect(parentCVersion == 2)
    }

    @Test func laterOpsOfAMultiSeeTheEffectsOfEarlierOnes() throws {
        var fixture = TreeFixture()
        let result = try fixture.write(
            Op.multi([
                MultiOp.create("/m"), MultiOp.create("/m/c"), MultiOp.setData("/m/c", version: 0),
                MultiOp.check("/m/c", version: 1), MultiOp.delete("/m/c", version: 1),
            ]))
        #expect(result.errorCode == 0)
        #expect(fixture.children("/m") == [])
        #expect(fixture.stat("/m")?.cversion == 2)
    }

    @Test func aMultiHoldingAReadIsRefusedWhole() {
        var fixture = TreeFixture.standard()
        let request = Op.multi([MultiOp.create("/m"), .getData(PathWatchRequest(path: "/a"))])
        #expect(fixture.code(request) == KeeperError.marshallingError.rawValue)
        #expect(fixture.pending.isEmpty)
    }

    @Test func anEmptyMultiSucceedsWithNoResults() throws {
        var fixture = TreeFixture()
        let result = try fixture.write(Op.multi([]))
        #expect(result.errorCode == 0)
        #expect(result.multiResults.isEmpty)
    }

    @Test func aSuccessfulMultiFiresTheWatchesOfEachOp() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 7)
        _ = try fixture.read(Op.getChildren("/a", watch: true), watcher: 8)
        try fixture.write(Op.multi([MultiOp.setData("/a"), MultiOp.create("/a/c")]))
        #expect(fixture.takeEvents() == ["7 NodeDataChanged /a", "8 NodeChildrenChanged /a"])
    }

    static let failingSubOps: [WriteCase] = [
        WriteCase("create of an existing node", Op.multi([MultiOp.create("/a")]), .nodeExists),
        WriteCase("delete of a parent", Op.multi([MultiOp.delete("/a")]), .notEmpty),
        WriteCase("setData of a missing node", Op.multi([MultiOp.setData("/missing")]), .noNode),
        WriteCase("check of a wrong version", Op.multi([MultiOp.check("/a", version: 5)]), .badVersion),
        WriteCase("create under an ephemeral", Op.multi([MultiOp.create("/eph/c")]), .noChildrenForEphemerals),
        WriteCase("create without CREATE", Op.multi([MultiOp.create("/ro/c")]), .noAuth),
        WriteCase("create with a bad path", Op.multi([MultiOp.create("/a/")]), .badArguments),
    ]

    @Test(arguments: failingSubOps)
    func aSubOpFailsWithTheCodeItWouldHaveAlone(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }
}
