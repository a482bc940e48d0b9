import AviaryClient
import Testing

@Suite(.aviaryServer, .timeLimit(.minutes(2)))
struct WatchTests {
    @Test func dataWatchFiresOnceForTheNextChange() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("data-watch")
            try await zk.create(path, data: [0])
            let watched = try await zk.watchData(path)
            #expect(watched.value.data == [0])
            try await withClient { (other) async throws -> Void in
                try await other.setData(path, data: [1])
                try await other.setData(path, data: [2])
            }
            let event = try await watched.watch.event(timeout: .seconds(10))
            #expect(event.type == .nodeDataChanged)
            #expect(event.path == path)
            #expect(try await watched.watch.event() == event)
            // A fresh watch sees the deletion.
            let again = try await zk.watchData(path)
            try await zk.delete(path)
            #expect(try await again.watch.event(timeout: .seconds(10)).type == .nodeDeleted)
        }
    }

    @Test func existsWatchOnAMissingNodeFiresOnCreation() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("exists-watch")
            let watched = try await zk.watchExists(path)
            #expect(watched.value == nil)
            try await zk.create(path)
            let event = try await watched.watch.event(timeout: .seconds(10))
            #expect(event.type == .nodeCreated)
            #expect(event.path == path)
        }
    }

    @Test func childWatchFiresWhenAChildArrives() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("child-watch")
            try await zk.create(path)
            let watched = try await zk.watchChildren(path)
            #expect(watched.value.isEmpty)
            try await zk.create("\(path)/kid")
            let event = try await watched.watch.event(timeout: .seconds(10))
            #expect(event.type == .nodeChildrenChanged)
            #expect(event.path == path)
        }
    }

    @Test func failedReadLeavesNoWatch() async throws {
        try await withClient { (zk) async throws -> Void in
            await expectError(.noNode) { try await zk.watchData(uniquePath("nothing")) }
            await expectError(.noWatcher) { try await zk.removeWatches(uniquePath("nothing"), type: .data) }
        }
    }

    @Test func persistentRecursiveWatchStreamsEveryDescendantChange() async throws {
        try await withClient { (zk) async throws -> Void in
            let root = uniquePath("recursive")
            let watch = try await zk.addWatch(root, mode: .persistentRecursive)
            try await zk.create(root)
            try await zk.create("\(root)/a")
            try await zk.setData("\(root)/a", data: [1])
            try await zk.delete("\(root)/a")
            var events: [WatchEvent] = []
            for try await event in watch {
                events.append(event)
                if events.count == 4 { break }
            }
            #expect(events.map(\.type) == [.nodeCreated, .nodeCreated, .nodeDataChanged, .nodeDeleted])
            #expect(events.map(\.path) == [root, "\(root)/a", "\(root)/a", "\(root)/a"])
        }
    }

    @Test func persistentWatchSeesChildrenChangesAndEndsWhenRemoved() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("persistent")
            try await zk.create(path)
            let watch = try await zk.addWatch(path, mode: .persistent)
            try await zk.create("\(path)/x")
            try await zk.setData(path, data: [1])
            var iterator = watch.makeAsyncIterator()
            #expect(try await iterator.next()?.type == .nodeChildrenChanged)
            #expect(try await iterator.next()?.type == .nodeDataChanged)
            try await zk.removeWatches(path, type: .persistent)
            #expect(try await iterator.next()?.type == .persistentWatchRemoved)
            #expect(try await iterator.next() == nil)
            await expectError(.noWatcher) { try await zk.removeWatches(path, type: .persistent) }
        }
    }

    @Test func removedOneShotWatchFiresWithRemoval() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("remove")
            try await zk.create(path)
            let data = try await zk.watchData(path)
            let children = try await zk.watchChildren(path)
            try await zk.removeWatches(path, type: .children)
            #expect(try await children.watch.event(timeout: .seconds(5)).type == .childWatchRemoved)
            try await zk.removeWatches(path, type: .any)
            #expect(try await data.watch.event(timeout: .seconds(5)).type == .dataWatchRemoved)
        }
    }

    @Test func watchWaitCanTimeOutAndStaysArmed() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("timeout")
            try await zk.create(path)
            let watched = try await zk.watchData(path)
            await expectError(.operationTimeout) { try await watched.watch.event(timeout: .milliseconds(100)) }
            try await zk.setData(path, data: [1])
            #expect(try await watched.watch.event(timeout: .seconds(10)).type == .nodeDataChanged)
        }
    }

    @Test func droppingAPersistentWatchRemovesItFromTheServer() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("dropped")
            try await zk.create(path)
            do {
                let watch = try await zk.addWatch(path, mode: .persistent)
                var iterator = watch.makeAsyncIterator()
                try await zk.setData(path, data: [1])
                #expect(try await iterator.next()?.type == .nodeDataChanged)
            }
            // The sequence is gone, so the client removed the server's watch before this request went out.
            await expectError(.noWatcher) { try await zk.removeWatches(path, type: .any) }
        }
    }

    @Test func aConsumerThatFallsBehindGetsAnErrorNotSilentGaps() async throws {
        let server = try suiteServer
        try await withDeadline {
            var configuration = ZooKeeperClient.Configuration()
            configuration.watchEventBufferMax = 2
            let zk = try await ZooKeeperClient.connect(to: server.connectString, configuration: configuration)
            let path = uniquePath("overflow")
            try await zk.create(path)
            let watch = try await zk.addWatch(path, mode: .persistent)
            // Each event reaches the client before the reply to the write that caused it.
            for value in 0..<5 { try await zk.setData(path, data: [UInt8(value)]) }
            var received = 0
            do {
                for try await _ in watch { received += 1 }
                Issue.record("the watch ended without an error")
            } catch let error as ZooKeeperError {
                #expect(error.code == .systemError)
            }
            #expect(received == 2)
            await zk.close()
        }
    }

    @Test func closingTheClientEndsWatches() async throws {
        let server = try suiteServer
        try await withDeadline {
            let zk = try await ZooKeeperClient.connectForTest(server.connectString)
            let path = uniquePath("ending")
            try await zk.create(path)
            let oneShot = try await zk.watchData(path)
            let persistent = try await zk.addWatch(path, mode: .persistent)
            await zk.close()
            await expectError(.sessionExpired) { try await oneShot.watch.event() }
            var count = 0
            for try await _ in persistent { count += 1 }
            #expect(count == 0)
        }
    }
}
