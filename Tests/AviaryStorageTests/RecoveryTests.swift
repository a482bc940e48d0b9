import AviaryDataTree
import AviaryStorage
import AviaryWire
import Testing

struct RecoveryTests {
    static let s1: Int64 = 0x100
    static let s2: Int64 = 0x200

    /// Twelve txns, built the way a leader's prepare step builds them: each create carries the parent's real
    /// next cversion (not -1), which is what makes replay over a fuzzy snapshot come out exact.
    static func history() -> [Txn] {
        var tree = DataTree()
        var txns: [Txn] = []
        func add(_ body: TxnBody, session: Int64 = s1) {
            let txn = Txns.make(Int64(txns.count + 1), body, session: session)
            txns.append(txn)
            tree.applyAll([txn])
        }
        func create(_ path: String, ephemeral: Bool = false) -> TxnBody {
            let parent = PathRules.parent(of: path)!
            return .create(
                path: path, data: Array(path.utf8), acl: ACL.openUnsafe, ephemeral: ephemeral,
                parentCVersion: tree.node(at: parent)!.stat.cversion + 1, opCode: .create)
        }
        add(.createSession(timeOutMillis: 5000))
        add(create("/a"))
        add(create("/a/x"))
        add(create("/a/e", ephemeral: true))
        add(.setData(path: "/a", data: [5], version: 1, opCode: .setData))
        add(create("/b"))
        add(.delete(path: "/a/x", opCode: .delete))
        add(create("/a/x"))
        add(create("/c"))
        add(.closeSession(pathsToDelete: ["/a/e"]))
        add(.createSession(timeOutMillis: 9000), session: s2)
        add(.setData(path: "/b", data: [12], version: 1, opCode: .setData))
        return txns
    }

    static func truth(upTo zxid: Int) -> DataTree {
        var tree = DataTree()
        tree.applyAll(Array(history().prefix(zxid)))
        return tree
    }

    @Test(arguments: [0, 3, 6, 9, 12])
    func replayOverAFuzzySnapshotGivesTheExactTree(snapshotName: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.file("data"), dataLogDir: directory.file("logs"))
        // The snapshot is named `snapshotName` but holds the tree three txns later, as a fuzzy snapshot may.
        let fuzzyZxid = min(snapshotName + 3, 12)
        let fuzzy = Self.truth(upTo: fuzzyZxid)
        let sessions =
            fuzzyZxid < 10
            ? [SessionEntry(id: Self.s1, timeoutMillis: 5000)] : [SessionEntry(id: Self.s2, timeoutMillis: 9000)]
        _ = try SnapshotFile.write(
            tree: fuzzy, sessions: sessions, zxid: Int64(snapshotName),
            directory: dataDirectory.snapshotDirectory, compression: .gzip)
        try Txns.writeLog(Self.history(), directory: dataDirectory.logDirectory, preallocationBytes: 4096, rollEvery: 5)

        let state = try dataDirectory.recover()
        expectSameTree(state.tree, Self.truth(upTo: 12))
        #expect(state.lastZxid == 12 && state.lastLoggedZxid == 12)
        #expect(state.replayedTxnCount == 12 - snapshotName)
        #expect(state.sessions == [SessionEntry(id: Self.s2, timeoutMillis: 9000)])
        #expect(!state.notes.contains { $0.contains("digest differs") }, "\(state.notes)")
    }

    @Test func aDamagedNewestSnapshotFallsBackToThePreviousOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.path)
        for zxid in [4, 8] {
            _ = try SnapshotFile.write(
                tree: Self.truth(upTo: zxid), sessions: [], zxid: Int64(zxid),
                directory: dataDirectory.snapshotDirectory, compression: .none)
        }
        try Txns.writeLog(Self.history(), directory: dataDirectory.logDirectory)
        let newest = dataDirectory.snapshotDirectory + "/snapshot.8"
        var bytes = try Files.bytes(newest)
        bytes[bytes.count / 2] ^= 0x20
        try Files.write(bytes, to: newest)

        let state = try dataDirectory.recover()
        #expect(state.snapshotPath == dataDirectory.snapshotDirectory + "/snapshot.4")
        #expect(state.notes.contains { $0.hasPrefix("fell back from snapshot.8") })
        expectSameTree(state.tree, Self.truth(upTo: 12))

        // With every snapshot damaged, recovery stops.
        let older = dataDirectory.snapshotDirectory + "/snapshot.4"
        var olderBytes = try Files.bytes(older)
        olderBytes[olderBytes.count / 2] ^= 0x20
        try Files.write(olderBytes, to: older)
        #expect(throws: StorageError.self) { try dataDirectory.recover() }
    }

    @Test func anIncompleteSnapshotIsSkippedLikeZooKeeperDoes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.path)
        _ = try SnapshotFile.write(
            tree: Self.truth(upTo: 2), sessions: [], zxid: 2, directory: dataDirectory.snapshotDirectory,
            compression: .none)
        let full = try Files.bytes(
            try SnapshotFile.write(
                tree: Self.truth(upTo: 7), sessions: [], zxid: 7, directory: dataDirectory.snapshotDirectory,
                compression: .none))
        try Files.write(Array(full.prefix(full.count / 2)), to: dataDirectory.snapshotDirectory + "/snapshot.7")
        try Txns.writeLog(Self.history(), directory: dataDirectory.logDirectory)
        let state = try dataDirectory.recover()
        #expect(state.snapshotZxid == 2)
        expectSameTree(state.tree, Self.truth(upTo: 12))
    }

    @Test func missingTxnsInsideAnEpochStopRecovery() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.path)
        _ = try SnapshotFile.write(
            tree: DataTree(), sessions: [], zxid: 0x1_0000_0000, directory: dataDirectory.snapshotDirectory,
            compression: .gzip)
        let txns = Txns.creates(count: 6, firstZxid: 0x1_0000_0001)
        try Txns.writeLog(Array(txns[0..<3]), directory: dataDirectory.logDirectory)
        try Txns.writeLog(Array(txns[4...]), directory: dataDirectory.logDirectory)
        #expect(
            throws: StorageError.logGap(
                file: dataDirectory.logDirectory + "/log.100000005", afterZxid: 0x1_0000_0003, nextZxid: 0x1_0000_0005)
        ) {
            try dataDirectory.recover()
        }
        var options = DataDirectory.RecoveryOptions()
        options.allowLogGaps = true
        #expect(try dataDirectory.recover(options: options).lastZxid == 0x1_0000_0006)

        // A new epoch may start anywhere: no gap.
        try Txns.writeLog([Txns.make(0x2_0000_0001, Txns.create("/epoch2"))], directory: dataDirectory.logDirectory)
        #expect(try dataDirectory.recover(options: options).lastZxid == 0x2_0000_0001)
    }

    @Test func logsWithoutASnapshotAreNotTrustedUnlessAskedTo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.path)
        #expect(try dataDirectory.recover().lastZxid == 0, "an empty directory is an empty tree")
        try Txns.writeLog(Self.history(), directory: dataDirectory.logDirectory)
        #expect(throws: StorageError.logsWithoutSnapshot(directory: dataDirectory.snapshotDirectory)) {
            try dataDirectory.recover()
        }
        var options = DataDirectory.RecoveryOptions()
        options.trustEmptySnapshot = true
        expectSameTree(try dataDirectory.recover(options: options).tree, Self.truth(upTo: 12))
    }

    @Test func purgeKeepsTheSnapshotsAndEveryLogReplayNeeds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.file("data"), dataLogDir: directory.file("logs"))
        let txns = Txns.creates(count: 45)
        // Segments start at 1, 8, 15, 25, 35; snapshots at 10, 20, 30, 40.
        let writer = try TxnLogWriter(directory: dataDirectory.logDirectory, preallocationBytes: 0, forceSync: false)
        var tree = DataTree()
        for txn in txns {
            if [8, 15, 25, 35].contains(txn.zxid) { try writer.roll() }
            try writer.append(txn)
            tree.applyAll([txn])
            if txn.zxid % 10 == 0 {
                _ = try SnapshotFile.write(
                    tree: tree, sessions: [], zxid: txn.zxid, directory: dataDirectory.snapshotDirectory,
                    compression: .gzip)
            }
        }
        try writer.close()
        let deleted = try dataDirectory.purge(retainSnapshots: 2).map {
            $0.split(separator: "/").last.map(String.init)!
        }
        #expect(deleted.sorted() == ["log.1", "log.8", "log.f", "snapshot.14.gz", "snapshot.a.gz"])
        #expect(try Files.names(dataDirectory.logDirectory) == ["log.19", "log.23"])
        #expect(try Files.names(dataDirectory.snapshotDirectory) == ["snapshot.1e.gz", "snapshot.28.gz"])

        // Even with the newest snapshot gone bad, the oldest kept one still replays to the end.
        let newest = dataDirectory.snapshotDirectory + "/snapshot.28.gz"
        try Files.write(Array(try Files.bytes(newest).dropLast(9)), to: newest)
        let state = try dataDirectory.recover()
        #expect(state.snapshotZxid == 30)
        expectSameTree(state.tree, tree)
    }

    @Test func truncatingTheLogDropsLaterTxnsAndSegments() throws {
        for compressFirst in [false, true] {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let txns = Txns.creates(count: 30)
            try Txns.writeLog(txns, directory: directory.path, preallocationBytes: 2048, rollEvery: 10)
            if compressFirst {
                _ = try TxnLogFiles.compressSealedSegment(path: directory.file("log.b"))
            }
            try TxnLogFiles.truncateLog(in: directory.path, after: 14)
            #expect(try Txns.readAll(directory.path).txns == Array(txns.prefix(14)))
            #expect(try Files.names(directory.path) == ["log.1", "log.b"])
            // The log continues from there.
            try Txns.writeLog([Txns.make(15, Txns.create("/new"))], directory: directory.path)
            #expect(try Txns.readAll(directory.path).txns.map(\.zxid) == Array(1...15))
        }
    }
}
