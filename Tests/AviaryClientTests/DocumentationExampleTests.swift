import AviaryClient
import Testing

/// The usage example at the top of ZooKeeperClient.swift (quoted by the README), run as written against a
/// chroot on the suite's server, so it cannot rot.
@Suite(.aviaryServer, .timeLimit(.minutes(1)))
struct DocumentationExampleTests {
    @Test func usageExampleRuns() async throws {
        let server = try suiteServer
        let chroot = uniquePath("myapp")
        try await withClient { (setup) async throws -> Void in try await setup.create(chroot) }
        try await withDeadline {
            let zk = try await ZooKeeperClient.connect(to: "\(server.connectString)\(chroot)", sessionTimeout: .seconds(10))

            try await zk.ensurePath("/config")
            try await zk.setData("/config", data: Array("v2".utf8))

            try await zk.ensurePath("/workers")
            let me = try await zk.create("/workers/w-", data: Array("host-a".utf8), mode: .ephemeralSequential)

            let config = try await zk.watchData("/config")
            #expect(String(decoding: config.value.data, as: UTF8.self) == "v2")
            try await withClient("\(server.connectString)\(chroot)") { (other) async throws -> Void in
                try await other.setData("/config", data: Array("v3".utf8))
            }
            let change = try await config.watch.event()
            #expect(change.type == .nodeDataChanged && change.path == "/config")

            let changes = try await zk.addWatch("/workers", mode: .persistentRecursive)
            try await zk.create("/workers/w-", mode: .ephemeralSequential)
            for try await event in changes where event.type == .nodeCreated {
                #expect(event.path == "/workers/w-0000000001")
                break
            }

            // /config is at version 2 here (the example assumes 1 on a fresh tree).
            try await zk.multi([.check(path: "/config", version: 2), .delete(path: me)])

            try await DistributedLock(client: zk, path: "/locks/reindex").withLock {
                // only one process at a time runs this
            }
            await zk.close()
        }
    }
}
