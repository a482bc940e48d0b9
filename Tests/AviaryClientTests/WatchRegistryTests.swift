@testable import AviaryClient
import NIOCore
import Testing

struct WatchRegistryTests {
    private func id(_ raw: UInt64) -> WatchID { WatchID(rawValue: raw) }

    @Test func eventsEmptyTheTablesZooKeeperSays() {
        var registry = WatchRegistry()
        registry.add(id(1), kind: .data, path: "/a")
        registry.add(id(2), kind: .exist, path: "/a")
        registry.add(id(3), kind: .child, path: "/a")
        #expect(registry.deliveries(for: .nodeChildrenChanged, path: "/a").map(\.id) == [id(3)])
        #expect(registry.deliveries(for: .nodeDataChanged, path: "/a").map(\.id) == [id(1), id(2)])
        #expect(registry.isEmpty)

        registry.add(id(4), kind: .data, path: "/b")
        registry.add(id(5), kind: .child, path: "/b")
        #expect(registry.deliveries(for: .nodeDeleted, path: "/b").map(\.id) == [id(4), id(5)])
    }

    @Test func persistentWatchesStayAndRecursiveOnesSkipChildEvents() {
        var registry = WatchRegistry()
        registry.add(id(1), kind: .persistent, path: "/a")
        registry.add(id(2), kind: .persistentRecursive, path: "/")
        registry.add(id(3), kind: .persistentRecursive, path: "/a")
        let changed = registry.deliveries(for: .nodeDataChanged, path: "/a/b")
        #expect(changed == [WatchDelivery(id: id(3), isFinal: false), WatchDelivery(id: id(2), isFinal: false)])
        #expect(registry.deliveries(for: .nodeChildrenChanged, path: "/a").map(\.id) == [id(1)])
        #expect(registry.count == 3)
    }

    /// "é" precomposed and "e" + U+0301 are two znodes to ZooKeeper (and to its Java client's tables), though one
    /// text to Swift's String: an event for one reaches only the watches set on it.
    @Test func canonicallyEquivalentPathsAreDifferentWatchKeys() {
        var registry = WatchRegistry()
        registry.add(id(1), kind: .data, path: "/\u{E9}")
        registry.add(id(2), kind: .persistentRecursive, path: "/\u{E9}")
        #expect(registry.deliveries(for: .nodeDataChanged, path: "/e\u{301}").isEmpty)
        #expect(registry.deliveries(for: .nodeDataChanged, path: "/e\u{301}/child").isEmpty)
        #expect(!registry.isWatched(path: "/e\u{301}"))
        #expect(registry.deliveries(for: .nodeDataChanged, path: "/\u{E9}").map(\.id) == [id(1), id(2)])
    }

    @Test func ancestorsOfAPath() {
        #expect(WatchRegistry.selfAndAncestors(of: "/a/b/c") == ["/a/b/c", "/a/b", "/a", "/"])
        #expect(WatchRegistry.selfAndAncestors(of: "/") == ["/"])
    }

    @Test func setWatchesIsSplitBelowTheByteLimit() throws {
        var registry = WatchRegistry()
        for index in 0..<2000 {
            registry.add(id(UInt64(index)), kind: index % 2 == 0 ? .data : .child, path: "/node-\(index)-" + String(repeating: "x", count: 100))
        }
        registry.add(id(9999), kind: .persistent, path: "/p")
        let requests = SetWatchesPlanner.requests(for: registry, relativeZxid: 7, bytesMax: 64 * 1024)
        #expect(requests.count > 1)
        var total = 0
        for request in requests {
            guard case .setWatches(let body, let opCode) = request else { Issue.record("not setWatches"); continue }
            let hasPersistent = !body.persistentWatches.isEmpty
            #expect(opCode == (hasPersistent ? .setWatches2 : .setWatches))
            #expect(body.relativeZxid == 7)
            var buffer = ByteBuffer()
            body.encode(to: &buffer, hasPersistentLists: opCode == .setWatches2)
            #expect(buffer.readableBytes < 64 * 1024 + 200)
            total += body.dataWatches.count + body.childWatches.count + body.persistentWatches.count
        }
        #expect(total == 2001)
    }
}
