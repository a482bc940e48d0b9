import AviaryWire
import Testing

@testable import AviaryDataTree

/// The compact node store against a plain dictionary model: seeded random creates, deletes and data changes,
/// then every path, child list and data value compared.
struct NodeStoreTests {
    /// The model: path → data, for every node below the root.
    typealias Model = [String: [UInt8]?]

    @Test(arguments: [1, 2, 3] as [UInt64])
    func storeAgreesWithADictionaryThroughRandomChurn(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var store = NodeStore()
        var model: Model = [:]
        // Paths in an array too, so that random picks do not depend on the dictionary's per-process order.
        var paths: [String] = []
        var childCounts: [String: Int] = [:]
        for step in 0..<20_000 {
            let roll = random.next(below: 100)
            if roll < 45 || paths.isEmpty {
                let parent = paths.isEmpty || random.next(below: 4) == 0 ? "/" : paths[random.next(below: paths.count)]
                let path = PathRules.join(parent, Self.name(random.next(below: 3_000)))
                let data = Self.data(&random, step: step)
                let added = store.node(at: parent).flatMap {
                    store.add(Self.record(under: $0, named: path), data: data)
                }
                #expect((added != nil) == (model[path] == nil), "add \(path)")
                if added != nil {
                    model[path] = data
                    paths.append(path)
                    childCounts[parent, default: 0] += 1
                }
            } else if roll < 70 {
                let position = random.next(below: paths.count)
                let path = paths[position]
                if childCounts[path, default: 0] > 0 { continue }
                store.removeLeaf(try #require(store.node(at: path)))
                model[path] = nil
                paths.swapAt(position, paths.count - 1)
                paths.removeLast()
                childCounts[PathRules.parent(of: path)!]! -= 1
            } else {
                let path = paths[random.next(below: paths.count)]
                let data = Self.data(&random, step: step)
                store.setData(data, of: try #require(store.node(at: path)))
                model[path] = data
            }
        }
        try Self.expect(store, matches: model)
    }

    @Test func cleaningKeepsThePagesWithinTwiceTheLiveData() throws {
        var random = SplitMix64(seed: 7)
        var store = NodeStore()
        var model: Model = [:]
        for index in 0..<2_000 {
            let path = "/n\(index)"
            let data = [UInt8](repeating: UInt8(index & 0xFF), count: 1 + random.next(below: 1_500))
            _ = store.add(Self.record(under: NodeStore.root, named: path), data: data)
            model[path] = data
        }
        // Each value is rewritten ten times over: without cleaning the pages would hold eleven copies.
        for round in 0..<20_000 {
            let path = "/n\(random.next(below: 2_000))"
            let data = [UInt8](repeating: UInt8(round & 0xFF), count: 1 + random.next(below: 1_500))
            store.setData(data, of: try #require(store.node(at: path)))
            model[path] = data
        }
        try Self.expect(store, matches: model)
        let liveItemBytes = model.values.reduce(0) { $0 + 8 + (($1?.count ?? 0) + 7) / 8 * 8 }
        #expect(store.dataPageBytes <= 2 * liveItemBytes + 2 * DataArena.pageBytes)
    }

    @Test func aCopyKeepsItsDataWhileTheOriginalIsRewrittenAndCleaned() throws {
        var store = NodeStore()
        for index in 0..<3_000 {
            _ = store.add(Self.record(under: NodeStore.root, named: "/n\(index)"), data: Array("old \(index)".utf8))
        }
        let copy = store
        for index in 0..<3_000 where index % 3 != 0 {
            let node = try #require(store.node(at: "/n\(index)"))
            if index % 3 == 1 {
                store.setData(Array("new \(index)".utf8), of: node)
            } else {
                store.removeLeaf(node)
            }
        }
        for index in 0..<3_000 {
            #expect(copy.data(of: try #require(copy.node(at: "/n\(index)"))) == Array("old \(index)".utf8))
            let node = store.node(at: "/n\(index)")
            switch index % 3 {
            case 0: #expect(store.data(of: try #require(node)) == Array("old \(index)".utf8))
            case 1: #expect(store.data(of: try #require(node)) == Array("new \(index)".utf8))
            default: #expect(node == nil)
            }
        }
        #expect(copy.count == 3_001 && store.count == 2_001)
    }

    @Test func nullEmptyAndLargeDataStayDistinct() throws {
        var store = NodeStore()
        let large = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        let cases: [(String, [UInt8]?)] = [("/null", nil), ("/empty", []), ("/small", [1, 2, 3]), ("/large", large)]
        for (path, data) in cases {
            _ = store.add(Self.record(under: NodeStore.root, named: path), data: data)
        }
        for (path, data) in cases {
            let node = try #require(store.node(at: path))
            #expect(store.data(of: node) == data, "\(path)")
            #expect(store.dataLength(of: node) == (data?.count ?? -1), "\(path)")
        }
        store.removeLeaf(try #require(store.node(at: "/large")))
        #expect(store.dataPageBytes < DataArena.pageBytes + 4_096)
    }

    @Test func lookupsFollowComponentsExactly() throws {
        var store = NodeStore()
        let a = store.add(Self.record(under: NodeStore.root, named: "/a"), data: [])
        let ab = store.add(Self.record(under: try #require(a), named: "/a/b"), data: [])
        let long = store.add(Self.record(under: try #require(ab), named: "/a/b/a-name-longer-than-fifteen"), data: [])
        #expect(store.node(at: "/") == NodeStore.root && store.node(at: "") == NodeStore.root)
        #expect(store.node(at: "/a/b") == ab && store.node(at: "/a/b/a-name-longer-than-fifteen") == long)
        for missing in ["a", "/a/", "//a", "/a//b", "/b", "/a/b/c", "/ab"] {
            #expect(store.node(at: missing) == nil, "\(missing)")
        }
        let again = store.add(Self.record(under: try #require(a), named: "/a/b"), data: nil)
        #expect(again == nil)
    }

    /// ZooKeeper compares names as Java strings, code unit by code unit: "é" precomposed and "e" + U+0301 are two
    /// nodes there, though Swift's String calls them equal. So they are two nodes here, found by their bytes.
    @Test func canonicallyEquivalentNamesAreDifferentNodes() throws {
        var store = NodeStore()
        let addedComposed = store.add(Self.record(under: NodeStore.root, named: "/\u{E9}"), data: [1])
        let addedDecomposed = store.add(Self.record(under: NodeStore.root, named: "/e\u{301}"), data: [2])
        let composed = try #require(addedComposed)
        let decomposed = try #require(addedDecomposed)
        #expect(composed != decomposed)
        #expect(store.node(at: "/\u{E9}") == composed)
        #expect(store.node(at: "/e\u{301}") == decomposed)
        let again = store.add(Self.record(under: NodeStore.root, named: "/e\u{301}"), data: nil)
        #expect(again == nil)
        store.removeLeaf(composed)
        #expect(store.node(at: "/\u{E9}") == nil)
        #expect(store.node(at: "/e\u{301}") == decomposed)
    }

    // MARK: Helpers

    static func record(under parent: NodeID, named path: String) -> NodeRecord {
        NodeRecord(
            name: PathRules.childName(of: path), parent: parent, aclReference: ACLCache.openUnsafeReference,
            stat: NodeStore.emptyStat)
    }

    /// Names both inline (up to 15 bytes) and on the heap.
    static func name(_ number: Int) -> String {
        number % 5 == 0 ? "a-long-node-name-\(number)" : "n\(number)"
    }

    /// Null, empty, small, and now and then larger than a page's dedicated-item threshold.
    static func data(_ random: inout SplitMix64, step: Int) -> [UInt8]? {
        switch random.next(below: 20) {
        case 0: return nil
        case 1: return []
        case 2: return [UInt8](repeating: UInt8(step & 0xFF), count: 70_000 + random.next(below: 10_000))
        default: return [UInt8](repeating: UInt8(step & 0xFF), count: 1 + random.next(below: 2_000))
        }
    }

    static func expect(_ store: NodeStore, matches model: Model) throws {
        #expect(store.count == model.count + 1)
        var childrenByParent: [String: [String]] = ["/": []]
        for path in model.keys {
            childrenByParent[PathRules.parent(of: path)!, default: []].append(PathRules.childName(of: path))
            let node = try #require(store.node(at: path), "\(path)")
            #expect(store.data(of: node) == model[path]!, "data of \(path)")
        }
        for (parent, names) in childrenByParent {
            let node = try #require(store.node(at: parent))
            #expect(store.childrenSortedByName(of: node).map(\.name) == names.sorted(), "children of \(parent)")
            #expect(Int(store[node].childCount) == names.count)
        }
    }
}

/// A small seeded generator, so a failure replays.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// A delete that recovery replays over a fuzzy snapshot may meet children the snapshot caught.
struct RecoveredDeleteTests {
    @Test func aReplayedDeleteTakesTheChildrenAndTheirIndexEntriesWithIt() throws {
        var fixture = TreeFixture()
        let empty = fixture.tree
        try fixture.write(Op.create("/a", "data"))
        try fixture.write(Op.create("/a/eph", "e", mode: .ephemeral))
        try fixture.write(Op.container("/a/box"))
        try fixture.write(Op.create("/a/box/deep", "d"))
        let header = TxnHeader(clientId: 1, cxid: 0, zxid: 99, time: fixture.time, type: OpCode.delete.rawValue)
        let result = fixture.tree.applyRecovered(Txn(header: header, body: .delete(path: "/a", opCode: .delete)))
        #expect(result.error == nil)
        for path in ["/a", "/a/eph", "/a/box", "/a/box/deep"] { #expect(fixture.tree.node(at: path) == nil, "\(path)") }
        #expect(fixture.tree.nodeCount == empty.nodeCount)
        #expect(fixture.tree.approximateDataSize == empty.approximateDataSize)
        #expect(fixture.tree.containers.isEmpty && fixture.tree.ephemerals(of: TreeFixture.session).isEmpty)
        // The names are free again.
        try fixture.write(Op.create("/a"))
        try fixture.write(Op.create("/a/box"))
        #expect(fixture.children("/a") == ["box"])
    }

    @Test func aNodeRecordTakes112Bytes() {
        // Multiplied by a million znodes; a new field should be a decision, not an accident.
        #expect(MemoryLayout<NodeRecord>.stride == 112)
    }
}
