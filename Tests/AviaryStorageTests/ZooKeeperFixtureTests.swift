import AviaryDataTree
import AviaryStorage
import AviaryWire
import Foundation
import Testing

/// Reads the data directory that ZooKeeper 3.8 wrote (Fixtures/zookeeper-3.8, made by make_zookeeper_fixture.py):
/// logs with zero tails, raw and gzip snapshots with digest sections, epoch files.
struct ZooKeeperFixtureTests {
    struct ExpectedNode: Decodable {
        var path: String
        var data: String?
        var stat: [Int64]
        var acl: [[JSONValue]]
    }

    struct Expected: Decodable {
        var nodes: [ExpectedNode]
        var sessions: [Int64]
    }

    enum JSONValue: Decodable, Equatable {
        case number(Int64)
        case string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                self = .number(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    static func fixture() throws -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw StorageError.unsupported(path: "Fixtures", reason: "not in the test bundle")
        }
        return url.path + "/zookeeper-3.8"
    }

    /// A writable copy of the fixture (recovery may repair files).
    static func copy(into directory: TemporaryDirectory) throws -> DataDirectory {
        try Files.copyDirectory(try fixture() + "/version-2", to: directory.file("version-2"))
        return try DataDirectory(dataDir: directory.path)
    }

    @Test func everyLogRecordVerifiesAndEveryTxnDecodes() throws {
        let reader = TxnLogReader(directory: try Self.fixture() + "/version-2")
        var txns: [Txn] = []
        let summary = try reader.read(after: -1) { txns.append($0.txn) }
        #expect(summary.tornTail == nil && summary.notes.isEmpty)
        #expect(txns.map(\.zxid) == txns.map(\.zxid).sorted())
        #expect(txns.count > 60)
        let kinds = Set(txns.map { $0.body.opCode })
        for kind: OpCode in [
            .createSession, .closeSession, .create, .create2, .createContainer, .createTTL, .delete, .setData, .setACL,
            .multi,
        ] {
            #expect(kinds.contains(kind), "the fixture has a \(kind) txn")
        }
        #expect(
            txns.allSatisfy { $0.digest?.version == 2 || $0.body.opCode == .error },
            "ZooKeeper 3.8 logs a digest with every txn that changes the tree")
        for txn in txns { #expect(!StorageDump.describe(txn).isEmpty && StorageDump.json(txn).hasPrefix("{")) }
    }

    @Test func everySnapshotVerifiesIncludingGzipAndDigests() throws {
        let directory = try Self.fixture() + "/version-2"
        let entries = try SnapshotFile.list(in: directory)
        #expect(
            entries.contains { $0.compression == .gzip }
                && entries.contains { $0.compression == SnapshotCompression.none })
        for entry in entries {
            let snapshot = try SnapshotFile.read(path: entry.path)
            #expect(snapshot.digest?.version == 2, "\(entry.path)")
            #expect(snapshot.tree.node(at: "/zookeeper/config") != nil)
        }
    }

    /// Recovering from each snapshot in turn replays a different stretch of the log. After every txn the tree's
    /// digest must equal the one ZooKeeper logged, which checks apply, replay over fuzzy snapshots, and the
    /// digest function against ZooKeeper's own.
    @Test func replayFromEverySnapshotMatchesZooKeepersDigests() throws {
        let names = try SnapshotFile.list(in: try Self.fixture() + "/version-2").map {
            $0.path.split(separator: "/").last.map(String.init)!
        }
        for (index, name) in names.enumerated() {
            let directory = try TemporaryDirectory("fixture")
            defer { directory.remove() }
            let dataDirectory = try Self.copy(into: directory)
            for newer in names[..<index] { try Files.remove(dataDirectory.snapshotDirectory + "/" + newer) }
            var options = DataDirectory.RecoveryOptions()
            options.verifyTxnDigests = true
            let state = try dataDirectory.recover(options: options)
            #expect(state.snapshotPath?.hasSuffix(name) == true)
            #expect(!state.notes.contains { $0.contains("digest differs") }, "from \(name): \(state.notes)")
            try expectMatchesZooKeeper(state)
        }
    }

    @Test func epochFilesReadAsZooKeeperWroteThem() throws {
        let epochs = EpochFiles(directory: try Self.fixture() + "/version-2")
        #expect(try epochs.readAcceptedEpoch() == 2 && epochs.readCurrentEpoch() == 2)
    }

    /// The recovered tree equals what a client of the running ZooKeeper saw: data, the client Stat and ACLs of
    /// every node outside /zookeeper, and the sessions still open.
    func expectMatchesZooKeeper(_ state: RecoveredState) throws {
        let json = try Data(contentsOf: URL(fileURLWithPath: try Self.fixture() + "/expected.json"))
        let expected = try JSONDecoder().decode(Expected.self, from: json)
        let visible = state.tree.allPaths().filter { $0 != "/zookeeper" && !$0.hasPrefix("/zookeeper/") }
        #expect(visible.sorted() == expected.nodes.map(\.path).sorted())
        for node in expected.nodes {
            guard let actual = state.tree.node(at: node.path) else { continue }
            #expect(actual.data.map { Data($0).base64EncodedString() } == node.data, "data of \(node.path)")
            let stat = actual.clientStat
            let fields: [Int64] = [
                stat.czxid, stat.mzxid, stat.ctime, stat.mtime, Int64(stat.version), Int64(stat.cversion),
                Int64(stat.aversion), stat.ephemeralOwner, Int64(stat.dataLength), Int64(stat.numChildren), stat.pzxid,
            ]
            #expect(fields == node.stat, "stat of \(node.path)")
            let acl = state.tree.acl(of: actual).map {
                [JSONValue.number(Int64($0.perms)), .string($0.id.scheme), .string($0.id.id)]
            }
            #expect(acl == node.acl, "ACL of \(node.path)")
        }
        #expect(state.sessions.map(\.id) == expected.sessions)
        #expect(state.tornTail == nil)
    }
}
