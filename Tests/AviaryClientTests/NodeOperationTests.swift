import AviaryClient
import Testing

/// CRUD, node modes and errors against a real aviary-server.
@Suite(.aviaryServer, .timeLimit(.minutes(2)))
struct NodeOperationTests {
    @Test func createReadUpdateDelete() async throws {
        try await withClient { (zk) async throws -> Void in
            let path = uniquePath("crud")
            #expect(try await zk.create(path, data: Array("one".utf8)) == path)
            let read = try await zk.getData(path)
            #expect(read.data == Array("one".utf8))
            #expect(read.stat.version == 0)
            #expect(try await zk.setData(path, data: Array("two".utf8), version: 0).version == 1)
            let stale = await expectError(.badVersion) { try await zk.setData(path, data: [], version: 0) }
            #expect(stale?.path == path)
            #expect(try await zk.exists(path)?.dataLength == 3)
            await expectError(.badVersion) { try await zk.delete(path, version: 7) }
            try await zk.delete(path, version: 1)
            #expect(try await zk.exists(path) == nil)
            await expectError(.noNode) { try await zk.getData(path) }
            await expectError(.noNode) { try await zk.delete(path) }
        }
    }

    @Test func createModesAndTheirErrors() async throws {
        try await withClient { (zk) async throws -> Void in
            let parent = uniquePath("modes")
            try await zk.create(parent)
            let sequential = try await zk.create("\(parent)/s-", mode: .persistentSequential)
            #expect(sequential == "\(parent)/s-0000000000")
            let second = try await zk.create("\(parent)/s-", mode: .ephemeralSequential)
            #expect(second == "\(parent)/s-0000000001")
            let (ephemeral, stat) = try await zk.createWithStat("\(parent)/e", data: [1], mode: .ephemeral)
            #expect(ephemeral == "\(parent)/e")
            #expect(stat.ephemeralOwner == zk.sessionID)
            #expect(try await zk.getEphemerals(prefix: parent).sorted() == [ephemeral, second])
            await expectError(.noChildrenForEphemerals) { try await zk.create("\(ephemeral)/child") }
            await expectError(.nodeExists) { try await zk.create(ephemeral) }
            await expectError(.noNode) { try await zk.create("\(parent)/missing/child") }
            await expectError(.notEmpty) { try await zk.delete(parent) }
            await expectError(.badArguments) { try await zk.create("relative") }
            await expectError(.badArguments) { try await zk.create("\(parent)/t", ttl: .seconds(1)) }
            await expectError(.badArguments) { try await zk.create("\(parent)/t", mode: .persistentWithTTL) }
        }
    }

    @Test func ephemeralNodesGoWithTheSession() async throws {
        let path = uniquePath("eph")
        try await withClient { (zk) async throws -> Void in
            try await zk.create(path, mode: .ephemeral)
        }
        try await withClient { (zk) async throws -> Void in
            #expect(try await zk.exists(path) == nil)
        }
    }

    @Test func containerAndTTLNodesAreReaped() async throws {
        try await withClient { (zk) async throws -> Void in
            let container = uniquePath("container")
            let (_, stat) = try await zk.createWithStat(container, mode: .container)
            // Servers store a marker in ephemeralOwner but show clients 0 (ZooKeeper does the same).
            #expect(stat.ephemeralOwner == 0)
            try await zk.create("\(container)/child")
            try await zk.delete("\(container)/child")
            #expect(try await eventually { try await zk.exists(container) == nil })

            let ttl = uniquePath("ttl")
            let created = try await zk.createWithStat(ttl, data: [1], mode: .persistentWithTTL, ttl: .milliseconds(200))
            #expect(created.stat.ephemeralOwner == 0)
            #expect(try await eventually { try await zk.exists(ttl) == nil })
            let sequentialTTL = try await zk.create("\(ttl)-s-", mode: .persistentSequentialWithTTL, ttl: .seconds(60))
            #expect(sequentialTTL.hasPrefix("\(ttl)-s-"))
            try await zk.delete(sequentialTTL)
        }
    }

    @Test func childrenCountsAndSync() async throws {
        try await withClient { (zk) async throws -> Void in
            let root = uniquePath("children")
            try await zk.ensurePath("\(root)/a/deep")
            try await zk.create("\(root)/b")
            #expect(try await zk.getChildren(root).sorted() == ["a", "b"])
            let (children, stat) = try await zk.getChildrenWithStat(root)
            #expect(children.count == 2)
            #expect(stat.numChildren == 2)
            #expect(try await zk.getAllChildrenNumber(root) == 3)
            try await zk.sync(root)
            try await zk.deleteRecursively(root)
            #expect(try await zk.exists(root) == nil)
        }
    }

    @Test func chrootIsTransparent() async throws {
        let chroot = uniquePath("chroot")
        let server = try suiteServer
        try await withClient { zk in try await zk.create(chroot) }
        try await withClient("\(server.connectString)\(chroot)") { (zk) async throws -> Void in
            #expect(try await zk.create("/node", mode: .ephemeral) == "/node")
            #expect(try await zk.create("/seq-", mode: .persistentSequential) == "/seq-0000000001")
            #expect(try await zk.getChildren("/").sorted() == ["node", "seq-0000000001"])
            #expect(try await zk.getEphemerals() == ["/node"])
            let watched = try await zk.watchData("/node")
            try await withClient { (outside) async throws -> Void in
                #expect(try await outside.exists("\(chroot)/node") != nil)
                try await outside.setData("\(chroot)/node", data: [1])
            }
            let event = try await watched.watch.event(timeout: .seconds(10))
            #expect(event.path == "/node")
            let result = try await zk.multi([.create(path: "/m", mode: .persistent)])
            #expect(result == [.created(path: "/m", stat: nil)])
        }
    }

    @Test func closedClientRefusesCalls() async throws {
        let server = try suiteServer
        try await withDeadline {
            let zk = try await ZooKeeperClient.connectForTest(server.connectString)
            #expect(await zk.state == .connected)
            await zk.close()
            #expect(await zk.state == .closed)
            await expectError(.sessionExpired) { try await zk.exists("/") }
        }
    }

    @Test func unreachableServersFailTheConnect() async throws {
        let port = try await AviaryServerProcess.freePort()
        try await withDeadline {
            var configuration = ZooKeeperClient.Configuration()
            configuration.connectTimeout = .milliseconds(500)
            do {
                _ = try await ZooKeeperClient.connect(to: "127.0.0.1:\(port)", configuration: configuration)
                Issue.record("connected to nothing")
            } catch let error as ZooKeeperError {
                #expect(error.code == .connectionLoss)
            }
        }
    }
}
