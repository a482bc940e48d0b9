import AviaryDataTree
import AviaryWire
import Testing

/// "é" precomposed and "e" + U+0301 are one text to Swift's String but two znodes to ZooKeeper, which compares
/// Java strings unit by unit. Everything keyed by path keeps them apart: pending changes, watches, a session's
/// ephemerals, containers.
struct CanonicallyEquivalentPathTests {
    static let composed = "/\u{E9}"
    static let decomposed = "/e\u{301}"

    static func bytes(_ paths: [String]) -> [[UInt8]] {
        paths.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func aPendingCreateOfOneNameLeavesTheOtherFree() throws {
        var fixture = TreeFixture()
        let first = try fixture.prepare(Op.create(Self.composed, "composed"))
        let second = try fixture.prepare(Op.create(Self.decomposed, "decomposed"))
        fixture.apply(first)
        fixture.apply(second)
        #expect(Self.bytes(fixture.children("/")) == Self.bytes(["\u{E9}", "e\u{301}", "zookeeper"]))
    }

    @Test func oneMultiCreatesBoth() throws {
        var fixture = TreeFixture()
        let result = try fixture.write(Op.multi([MultiOp.create(Self.composed), MultiOp.create(Self.decomposed)]))
        #expect(result.multiResults.map(\.errorCode) == [0, 0])
        #expect(fixture.stat(Self.composed) != nil && fixture.stat(Self.decomposed) != nil)
    }

    @Test func aWatchOnOneNameIsNotFiredByTheOther() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create(Self.composed))
        try fixture.write(Op.create(Self.decomposed))
        _ = try fixture.read(Op.getData(Self.composed, watch: true), watcher: 7)
        try fixture.write(Op.setData(Self.decomposed))
        #expect(fixture.events.isEmpty)
        try fixture.write(Op.setData(Self.composed))
        #expect(fixture.events.map { Array($0.event.path.utf8) } == [Array(Self.composed.utf8)])
        #expect(fixture.events.map(\.watcher) == [7])
    }

    @Test func closingTheSessionDeletesBothEphemerals() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create(Self.composed, mode: .ephemeral))
        try fixture.write(Op.create(Self.decomposed, mode: .ephemeral))
        #expect(Self.bytes(fixture.tree.ephemerals(of: TreeFixture.session)) == Self.bytes([Self.composed, Self.decomposed]))
        let close = try fixture.prepare(.closeSession)
        guard case .closeSession(let listed?) = close.body else {
            Issue.record("closeSession lists no paths")
            return
        }
        #expect(Self.bytes(listed) == Self.bytes([Self.composed, Self.decomposed]))
        fixture.apply(close)
        #expect(fixture.children("/") == ["zookeeper"])
    }

    @Test func twoEmptiedContainersAreBothReapable() throws {
        var fixture = TreeFixture()
        for path in [Self.composed, Self.decomposed] {
            try fixture.write(Op.container(path))
            try fixture.write(Op.create(path + "/child"))
            try fixture.write(Op.delete(path + "/child"))
        }
        #expect(Self.bytes(fixture.tree.reapableNodes(now: fixture.time)) == Self.bytes([Self.composed, Self.decomposed]))
    }
}
