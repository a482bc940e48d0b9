import AviaryDataTree
import AviaryStorage
import AviaryWire
import NIOCore
import Testing

struct SnapshotTests {
    static let alice = [ACL(.all, Id(scheme: "digest", id: "alice:2bB9VTpWtsCZCYbNmmPd1y1Wsr8="))]
    static let sessionA: Int64 = 0x1000_0300_63e0_0000
    static let sessionB: Int64 = 0x1000_0300_63e0_0001

    /// A tree with a bit of everything: ephemerals of two sessions, a container with a child, TTL nodes, digest
    /// and read-only ACLs, null and empty data, sequential names, deletes and re-creates, setData and setACL.
    static func richTree() -> DataTree {
        var tree = DataTree(configData: Array("server.1=127.0.0.1:2888:3888".utf8))
        let bodies: [(TxnBody, Int64)] = [
            (Txns.create("/app", Array("root".utf8)), 0),
            (Txns.create("/app/null", nil), 0),
            (Txns.create("/app/empty", []), 0),
            (Txns.create("/app/e1", [1], ephemeral: true), sessionA),
            (Txns.create("/app/e2", [2], ephemeral: true), sessionA),
            (Txns.create("/app/e3", nil, ephemeral: true), sessionB),
            (.createContainer(path: "/box", data: [], acl: ACL.openUnsafe, parentCVersion: -1), 0),
            (Txns.create("/box/member"), 0),
            (
                .createTTL(
                    path: "/ttl", data: Array("t".utf8), acl: ACL.openUnsafe, parentCVersion: -1, ttl: 3_600_000), 0
            ),
            (.createTTL(path: "/ttl2", data: nil, acl: ACL.readUnsafe, parentCVersion: -1, ttl: 5), 0),
            (Txns.create("/secure", Array("s".utf8), acl: alice), 0),
            (Txns.create("/secure/r", [], acl: ACL.readUnsafe + alice), 0),
            (Txns.create("/app/q-0000000000"), 0),
            (Txns.create("/app/q-0000000001"), 0),
            (.delete(path: "/app/q-0000000000", opCode: .delete), 0),
            (.setData(path: "/app", data: Array("root v2".utf8), version: 1, opCode: .setData), 0),
            (.setACL(path: "/app/empty", acl: alice, version: 1), 0),
            (Txns.create("/app/q-0000000000", Array("again".utf8)), 0),
            (Txns.create("/deep"), 0),
        ]
        var txns = bodies.enumerated().map { index, entry in
            Txns.make(0x1_0000_0001 + Int64(index), entry.0, session: entry.1 == 0 ? 0x77 : entry.1)
        }
        // A deep chain, to check that serialization needs no recursion.
        var path = "/deep"
        for level in 0..<300 {
            path += "/d\(level)"
            txns.append(Txns.make(0x1_0000_0100 + Int64(level), Txns.create(path, [UInt8(level % 256)])))
        }
        tree.applyAll(txns)
        return tree
    }

    static let sessions = [
        SessionEntry(id: sessionB, timeoutMillis: 4000), SessionEntry(id: sessionA, timeoutMillis: 30_000),
    ]

    @Test(arguments: SnapshotCompression.allCases)
    func aRichTreeRoundTripsToAnEqualTree(compression: SnapshotCompression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tree = Self.richTree()
        let path = try SnapshotFile.write(
            tree: tree, sessions: Self.sessions, zxid: tree.lastProcessedZxid, directory: directory.path,
            compression: compression)
        #expect(
            path == directory.file("snapshot.\(String(tree.lastProcessedZxid, radix: 16))\(compression.fileSuffix)"))
        #expect(
            try Files.names(directory.path) == [path.split(separator: "/").last.map(String.init)!],
            "no temporary file left")

        let loaded = try SnapshotFile.read(path: path)
        expectSameTree(loaded.tree, tree)
        #expect(loaded.sessions == Self.sessions.sorted { $0.id < $1.id })
        #expect(loaded.zxid == tree.lastProcessedZxid)
        #expect(loaded.digest == SnapshotDigest(zxid: tree.lastProcessedZxid, version: 2, value: tree.treeDigest()))
        #expect(loaded.tree.node(at: "/app/null")?.data == nil)
        #expect(loaded.tree.node(at: "/app/empty")?.data == [])
        #expect(loaded.tree.ephemerals(of: Self.sessionA) == tree.ephemerals(of: Self.sessionA))
        #expect(loaded.tree.containers == ["/box"] && loaded.tree.ttlNodes == ["/ttl", "/ttl2"])
    }

    @Test func theSameTreeGivesTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tree = Self.richTree()
        let first = try SnapshotFile.write(
            tree: tree, sessions: Self.sessions, zxid: 1, directory: directory.path, compression: .none)
        let second = try SnapshotFile.write(
            tree: tree, sessions: Self.sessions.reversed(), zxid: 2, directory: directory.path, compression: .none)
        // Sessions are written sorted and children in the store's order: Dictionary order never reaches the file.
        #expect(try Files.bytes(first) == Files.bytes(second))
    }

    @Test(arguments: SnapshotCompression.allCases)
    func aDamagedByteFailsTheSeal(compression: SnapshotCompression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tree = Self.richTree()
        let path = try SnapshotFile.write(
            tree: tree, sessions: Self.sessions, zxid: 9, directory: directory.path, compression: compression)
        let original = try Files.bytes(path)
        let expected = Self.contents(of: try SnapshotFile.read(path: path))
        var refused = 0
        for position in stride(from: 20, to: original.count - 8, by: max(1, original.count / 40)) {
            var damaged = original
            damaged[position] ^= 0x04
            try Files.write(damaged, to: path)
            // A flipped bit in a compressed stream can leave what it decodes to unchanged (an unused Huffman code
            // length, say): then nothing was damaged. Anything else must be refused, never loaded.
            do {
                let loaded = try SnapshotFile.read(path: path)
                #expect(Self.contents(of: loaded) == expected, "byte \(position) was damaged and still loaded")
            } catch is StorageError {
                refused += 1
            }
        }
        #expect(refused > 30)
    }

    /// Everything a snapshot holds, for comparing two loads of it.
    static func contents(of snapshot: LoadedSnapshot) -> [String] {
        let nodes = snapshot.tree.allPaths().sorted().map { "\($0) \(String(describing: snapshot.tree.node(at: $0)))" }
        return nodes + snapshot.sessions.map { "session \($0.id) \($0.timeoutMillis)" } + ["zxid \(snapshot.zxid)"]
    }

    @Test func sealsAreCheckedOverTheUncompressedStream() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try SnapshotFile.write(
            tree: DataTree(), sessions: [], zxid: 0, directory: directory.path, compression: .none)
        var bytes = try Files.bytes(path)
        // Change the last node's czxid and nothing else: only the seal can notice. From the end: digest seal (13),
        // digest (20), seal (13), terminator "/" (5), then the last node's 60-byte stat.
        let statOffset = bytes.count - 13 - 20 - 13 - 5 - 60 + 7
        bytes[statOffset] ^= 0x01
        try Files.write(bytes, to: path)
        do {
            _ = try SnapshotFile.read(path: path)
            Issue.record("a changed stat passed the seal")
        } catch StorageError.corruptSnapshot(let file, let reason) {
            #expect(file == path && reason.contains("seal"))
        }
    }

    @Test func readsSnapshotsWithoutADigestAndWithZooKeeper39sLastZxidSection() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tree = Self.richTree()
        let plain = try SnapshotFile.write(
            tree: tree, sessions: [], zxid: 5, directory: directory.path, compression: .none, includeDigest: false)
        let loaded = try SnapshotFile.read(path: plain)
        #expect(loaded.digest == nil)
        #expect(loaded.tree.treeDigest() == tree.treeDigest() && loaded.tree.nodeCount == tree.nodeCount)

        // Append ZooKeeper 3.9's section: long lastProcessedZxid, then a seal over everything before it.
        let withDigest = try SnapshotFile.write(
            tree: tree, sessions: [], zxid: 6, directory: directory.path, compression: .none)
        var bytes = ByteBuffer(bytes: try Files.bytes(withDigest))
        bytes.writeInteger(Int64(0x1234), endianness: .big)
        var adler: (a: UInt32, b: UInt32) = (1, 0)
        for byte in bytes.readableBytesView {
            adler.a = (adler.a + UInt32(byte)) % 65521
            adler.b = (adler.b + adler.a) % 65521
        }
        bytes.writeInteger(Int64(adler.b << 16 | adler.a), endianness: .big)
        bytes.writeInteger(Int32(1), endianness: .big)
        bytes.writeInteger(UInt8(ascii: "/"))
        try Files.write(Array(bytes.readableBytesView), to: withDigest)
        let newer = try SnapshotFile.read(path: withDigest)
        #expect(newer.recordedLastProcessedZxid == 0x1234)
        #expect(newer.digest?.value == tree.treeDigest())
    }

    @Test func fileNamesFollowZooKeeper() {
        #expect(SnapshotFile.fileName(zxid: 0x1_0000_002c, compression: .none) == "snapshot.10000002c")
        #expect(SnapshotFile.fileName(zxid: 0, compression: .gzip) == "snapshot.0.gz")
        #expect(SnapshotFile.parseFileName("snapshot.20000000d.gz")! == (0x2_0000_000d, .gzip))
        #expect(SnapshotFile.parseFileName("snapshot.5.snappy")!.compression == nil)
        #expect(SnapshotFile.parseFileName(".tmp.snapshot.5") == nil)
        #expect(SnapshotFile.parseFileName("snapshot.5.tmp") == nil)
        #expect(TxnLogFormat.parseSegmentName("log.100000001")! == (0x1_0000_0001, false))
        #expect(TxnLogFormat.parseSegmentName("log.100000001.gz")! == (0x1_0000_0001, true))
        #expect(TxnLogFormat.parseSegmentName("log.100000001.fixed") == nil)
    }
}
