import AviaryDataTree
import AviaryStorage
import AviaryWire
import Foundation
import Testing

/// The other direction: ZooKeeper 3.8's own code reads what Aviary wrote. Skipped where java or Debian's
/// zookeeper package is missing (the last test also needs python3 with kazoo).
@Suite(.enabled(if: ZooKeeperTools.available))
struct ZooKeeperToolsTests {
    @Test func txnLogToolkitReadsAviarysSegments() throws {
        let directory = try TemporaryDirectory("zk-tools")
        defer { directory.remove() }
        // ZooKeeper logs `check` only inside a multi; its reader rejects a top-level one.
        let kinds = TxnLogRoundTripTests.everyKind.filter { $0.body.opCode != .check }
        let txns = kinds + Txns.creates(count: 60, firstZxid: 15)
        try Txns.writeLog(txns, directory: directory.path, preallocationBytes: 64 * 1024, rollEvery: 40)
        // The sealed segment goes through Aviary's compression and back to ZooKeeper's raw form.
        _ = try TxnLogFiles.compressSealedSegment(path: directory.file("log.1"))
        try TxnLogFiles.decompressAll(in: directory.path)

        for segment in try TxnLogReader.segments(in: directory.path) {
            var inSegment: [Txn] = []
            _ = try TxnLogReader(directory: directory.path).read(segment: segment) { inSegment.append($0.txn) }
            let output = try ZooKeeperTools.run("org.apache.zookeeper.server.persistence.TxnLogToolkit", [segment.path])
            #expect(output.contains("ZooKeeper Transactional Log File with dbid 0 txnlog format version 2"))
            #expect(output.contains("EOF reached after \(inSegment.count) txns."), "\(output)")
            #expect(!output.contains("CRC ERROR"))
            for txn in inSegment {
                let name = txn.body.opCode == .createTTL ? "createTtl" : txn.body.opCode.name
                #expect(output.contains("zxid 0x\(String(txn.zxid, radix: 16)) \(name)"), "zxid \(txn.zxid)")
            }
        }
        #expect(try Txns.readAll(directory.path).txns == txns)
    }

    @Test(arguments: SnapshotCompression.allCases)
    func snapshotFormatterReadsAviarysSnapshots(compression: SnapshotCompression) throws {
        let directory = try TemporaryDirectory("zk-tools")
        defer { directory.remove() }
        let tree = SnapshotTests.richTree()
        let path = try SnapshotFile.write(
            tree: tree, sessions: SnapshotTests.sessions, zxid: tree.lastProcessedZxid, directory: directory.path,
            compression: compression)
        let output = try ZooKeeperTools.run("org.apache.zookeeper.server.SnapshotFormatter", [path])
        let lines = Set(output.split(separator: "\n").map(String.init))
        #expect(output.contains("ZNode Details (count="))
        for path in tree.allPaths() { #expect(lines.contains(path), "\(path) listed") }
        #expect(lines.contains("0x\(String(SnapshotTests.sessionA, radix: 16)), 30000, 2"))
        #expect(lines.contains("0x\(String(SnapshotTests.sessionB, radix: 16)), 4000, 1"))
        #expect(lines.contains("Last zxid: 0x\(String(tree.lastProcessedZxid, radix: 16))"))
    }

    @Test(.enabled(if: ZooKeeperTools.kazooAvailable))
    func zooKeeperStartsOnAviarysDataDirectory() throws {
        let directory = try TemporaryDirectory("zk-tools")
        defer { directory.remove() }
        let (dataDirectory, ours) = try Self.writeDataDirectory(in: directory, tamperWithOneDigest: false)
        let dump = try ZooKeeperTools.dumpTree(of: dataDirectory)
        #expect(dump.digestMismatches == 0, "ZooKeeper's digests agree with the snapshot's and every txn's")
        let visible = ours.tree.allPaths().filter { $0 != "/zookeeper" && !$0.hasPrefix("/zookeeper/") }
        #expect(dump.nodes.map(\.path).sorted() == visible.sorted())
        for node in dump.nodes {
            guard let mine = ours.tree.node(at: node.path) else { continue }
            let stat = mine.clientStat
            #expect(node.data == mine.data.map { Data($0).base64EncodedString() }, "data of \(node.path)")
            #expect(
                node.stat == [
                    stat.czxid, stat.mzxid, stat.ctime, stat.mtime, Int64(stat.version), Int64(stat.cversion),
                    Int64(stat.aversion), stat.ephemeralOwner, Int64(stat.dataLength), Int64(stat.numChildren),
                    stat.pzxid,
                ], "stat of \(node.path)")
        }
    }

    /// The control for the test above: ZooKeeper's digest check is live and would notice a wrong digest.
    @Test(.enabled(if: ZooKeeperTools.kazooAvailable))
    func zooKeeperNoticesAWrongTxnDigest() throws {
        let directory = try TemporaryDirectory("zk-tools")
        defer { directory.remove() }
        let (dataDirectory, _) = try Self.writeDataDirectory(in: directory, tamperWithOneDigest: true)
        #expect(try ZooKeeperTools.dumpTree(of: dataDirectory).digestMismatches > 0)
    }

    /// A snapshot of the first 12 txns and a log of all 25 (epoch 1), each txn with the tree digest after it as a
    /// ZooKeeper leader logs it, and epoch files.
    static func writeDataDirectory(in directory: TemporaryDirectory, tamperWithOneDigest: Bool) throws -> (
        DataDirectory, RecoveredState
    ) {
        let dataDirectory = try DataDirectory(dataDir: directory.file("data"))
        let session: Int64 = 0x1000_0000_0000_0001
        var txns = [Txns.make(0x1_0000_0001, .createSession(timeOutMillis: 30_000), session: session)]
        txns += Txns.creates(count: 20, firstZxid: 0x1_0000_0002)
        txns.append(
            Txns.make(0x1_0000_0016, Txns.create("/eph", Array("ephemeral".utf8), ephemeral: true), session: session))
        txns.append(Txns.make(0x1_0000_0017, .setData(path: "/n3", data: nil, version: 1, opCode: .setData)))
        txns.append(
            Txns.make(
                0x1_0000_0018, .createTTL(path: "/ttl", data: [], acl: ACL.readUnsafe, parentCVersion: -1, ttl: 99_000))
        )
        txns.append(Txns.make(0x1_0000_0019, .delete(path: "/n4", opCode: .delete)))
        var tree = DataTree()
        var snapshotTree = tree
        for index in txns.indices {
            tree.applyAll([txns[index]])
            txns[index].digest = TxnDigest(version: DataTree.digestVersion, treeDigest: tree.treeDigest())
            if index == 11 { snapshotTree = tree }
        }
        if tamperWithOneDigest { txns[20].digest!.treeDigest &+= 1 }
        _ = try SnapshotFile.write(
            tree: snapshotTree, sessions: [SessionEntry(id: session, timeoutMillis: 30_000)],
            zxid: snapshotTree.lastProcessedZxid,
            directory: dataDirectory.snapshotDirectory, compression: .gzip)
        try Txns.writeLog(txns, directory: dataDirectory.logDirectory, preallocationBytes: 4096, rollEvery: 10)
        try dataDirectory.epochs.writeAcceptedEpoch(1)
        try dataDirectory.epochs.writeCurrentEpoch(1)
        let ours = try dataDirectory.recover()
        #expect(ours.lastZxid == 0x1_0000_0019)
        return (dataDirectory, ours)
    }
}

enum ZooKeeperTools {
    static let classpath = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"

    static let available: Bool = {
        FileManager.default.fileExists(atPath: "/usr/share/java/zookeeper.jar") && executable("java") != nil
    }()

    static let kazooAvailable: Bool = {
        guard executable("python3") != nil else { return false }
        return (try? run(executable: executable("python3")!, ["-c", "import kazoo"])) != nil
    }()

    static func executable(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a ZooKeeper main class and returns its standard output.
    static func run(_ mainClass: String, _ arguments: [String]) throws -> String {
        try run(executable: executable("java")!, ["-cp", classpath, mainClass] + arguments)
    }

    /// Runs a helper script from the Fixtures resource directory with python3.
    static func runPython(_ arguments: [String]) throws -> String {
        let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
        return try run(executable: executable("python3")!, [fixtures + "/" + arguments[0]] + arguments.dropFirst())
    }

    struct TreeDump: Decodable {
        struct Node: Decodable {
            var path: String
            var data: String?
            var stat: [Int64]
        }
        var nodes: [Node]
        var digestMismatches: Int
    }

    /// Starts ZooKeeper on a copy of the directory and returns the tree it serves (zookeeper_dump_tree.py).
    static func dumpTree(of dataDirectory: DataDirectory) throws -> TreeDump {
        let output = try runPython(["zookeeper_dump_tree.py", dataDirectory.dataDir])
        return try JSONDecoder().decode(TreeDump.self, from: Data(output.utf8))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Output goes through files, not pipes: a child that fills a pipe nobody reads would never exit.
    static func run(executable: String, _ arguments: [String], timeoutSeconds: Double = 120) throws -> String {
        let directory = try TemporaryDirectory("process")
        defer { directory.remove() }
        _ = FileManager.default.createFile(atPath: directory.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("err"), contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: directory.file("out"))
        process.standardError = FileHandle(forWritingAtPath: directory.file("err"))
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "\(arguments) timed out")
        }
        let output = String(decoding: try Files.bytes(directory.file("out")), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let errors = String(decoding: try Files.bytes(directory.file("err")), as: UTF8.self)
            throw Failure(description: "\(arguments) exited with \(process.terminationStatus): \(errors.suffix(3000))")
        }
        return output
    }
}
