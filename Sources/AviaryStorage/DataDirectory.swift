import AviaryDataTree
import AviaryWire

/// A ZooKeeper data directory pair and the operations on it as a whole:
///
///     dataDir/myid                          (read by the server, not here)
///     dataDir/version-2/snapshot.<zxid>[.gz]
///     dataDir/version-2/acceptedEpoch, currentEpoch
///     dataLogDir/version-2/log.<zxid>[.gz]  (dataLogDir defaults to dataDir)
///
/// Recovery follows ZooKeeper's `FileTxnSnapLog.restore`, made stricter where ZooKeeper can lose data silently:
/// see `recover`.
public struct DataDirectory: Sendable {
    public static let versionDirectoryName = "version-2"

    public let dataDir: String
    public let dataLogDir: String
    /// `dataDir/version-2`: snapshots and epoch files.
    public let snapshotDirectory: String
    /// `dataLogDir/version-2`: txn log segments.
    public let logDirectory: String

    public var epochs: EpochFiles { EpochFiles(directory: snapshotDirectory) }

    /// Creates the `version-2` directories if they are missing.
    public init(dataDir: String, dataLogDir: String? = nil) throws {
        self.dataDir = dataDir
        self.dataLogDir = dataLogDir ?? dataDir
        snapshotDirectory = FileSystem.join(dataDir, Self.versionDirectoryName)
        logDirectory = FileSystem.join(self.dataLogDir, Self.versionDirectoryName)
        try FileSystem.makeDirectories(snapshotDirectory)
        try FileSystem.makeDirectories(logDirectory)
    }

    public func snapshots() throws -> [SnapshotFile.Entry] { try SnapshotFile.list(in: snapshotDirectory) }
    public func logSegments() throws -> [TxnLogReader.Segment] { try TxnLogReader.segments(in: logDirectory) }

    /// Removes the snapshots of a history beyond `zxid` (after the leader truncated it away).
    public func removeSnapshots(after zxid: Int64) throws -> [String] {
        var removed: [String] = []
        for snapshot in try snapshots() where snapshot.zxid > zxid {
            try FileSystem.remove(snapshot.path)
            removed.append(snapshot.path)
        }
        return removed
    }

    public struct RecoveryOptions: Sendable {
        /// Start from an empty tree when logs exist but no snapshot does (ZooKeeper's
        /// `zookeeper.snapshot.trust.empty`). Off: such logs may have lost their beginning to a purge.
        public var trustEmptySnapshot = false
        /// Cut a torn tail off the newest segment and remove leftover temporary files. Off for read-only tools.
        public var repair = true
        /// Accept zxids missing within an epoch during replay. Off: that means txns the tree needs are gone.
        public var allowLogGaps = false
        /// Recompute the tree digest after every txn that carries one and compare (O(tree) per txn: for tests
        /// and tools). The snapshot's own digest is always compared once, when replay reaches its zxid.
        public var verifyTxnDigests = false
        public var maximumRecordBytes = TxnLogFormat.defaultMaximumRecordBytes
        /// The tree to start from when there is no snapshot at all.
        public var emptyTree = DataTree()
        /// How many of the last replayed txns to keep in `RecoveredState.recentTxns` (an ensemble member keeps
        /// them to bring learners up to date by DIFF).
        public var keepRecentTxns = 0

        public init() {}
    }

    /// Loads the newest snapshot that verifies (older ones if newer are damaged, each fallback noted), replays
    /// every logged txn after it (idempotently, as over ZooKeeper's fuzzy snapshots), tracks sessions from
    /// createSession/closeSession, and cuts a torn tail off the newest segment. Corruption anywhere else throws
    /// with the file, the offset, and what the operator can do. An empty directory recovers to `emptyTree` at
    /// zxid 0; the caller should then write `snapshot.0`, as ZooKeeper does.
    public func recover(options: RecoveryOptions = RecoveryOptions()) throws -> RecoveredState {
        var state = try loadSnapshot(options: options)
        if options.repair { state.notes += try removeTemporaryFiles() }
        let summary: TxnLogReader.Summary
        do {
            summary = try replayLogs(into: &state, options: options)
        } catch StorageError.corruptRecord(let file, let offset, let reason) {
            throw StorageError.corruptRecord(file: file, offset: offset, reason: reason + ". " + Self.corruptionAdvice)
        }
        state.notes += summary.notes
        state.lastLoggedZxid = summary.lastZxid
        try settleLogEnd(summary, state: &state, options: options)
        return state
    }

    /// Applies every logged txn after the snapshot, checking that no zxid is missing inside an epoch and comparing
    /// tree digests where the snapshot (or, if asked, each txn) recorded one.
    private func replayLogs(into state: inout RecoveredState, options: RecoveryOptions) throws -> TxnLogReader.Summary {
        var sessions = Dictionary(uniqueKeysWithValues: state.sessions.map { ($0.id, $0.timeoutMillis) })
        var previousZxid = state.snapshotZxid
        // ZooKeeper ignores an empty digest (zxid 0) and one older than the snapshot's own zxid.
        let snapshotZxid = state.snapshotZxid
        var pendingDigest = state.snapshotDigest.flatMap {
            $0.version == DataTree.digestVersion && $0.zxid > 0 && $0.zxid >= snapshotZxid ? $0 : nil
        }
        let reader = TxnLogReader(directory: logDirectory, maximumRecordBytes: options.maximumRecordBytes)
        let summary = try reader.read(after: snapshotZxid) { logged in
            let txn = logged.txn
            if txn.zxid >> 32 == previousZxid >> 32, txn.zxid > previousZxid + 1, !options.allowLogGaps {
                throw StorageError.logGap(file: logged.segment.path, afterZxid: previousZxid, nextZxid: txn.zxid)
            }
            previousZxid = max(previousZxid, txn.zxid)
            switch txn.body {
            case .createSession(let timeout): sessions[txn.header.clientId] = timeout
            case .closeSession: sessions[txn.header.clientId] = nil
            default: break
            }
            _ = state.tree.applyRecovered(txn)
            state.replayedTxnCount += 1
            if options.keepRecentTxns > 0 {
                state.recentTxns.append(txn)
                if state.recentTxns.count >= 2 * options.keepRecentTxns {
                    state.recentTxns.removeFirst(state.recentTxns.count - options.keepRecentTxns)
                }
            }
            let hex = String(txn.zxid, radix: 16)
            if options.verifyTxnDigests, let digest = txn.digest, digest.version == DataTree.digestVersion,
                digest.treeDigest != state.tree.treeDigest()
            {
                state.notes.append("tree digest differs from the log's after txn 0x\(hex)")
            }
            if let expected = pendingDigest, txn.zxid >= expected.zxid {
                if txn.zxid == expected.zxid, state.tree.treeDigest() != expected.value {
                    state.notes.append("tree digest differs from the snapshot's at zxid 0x\(hex)")
                }
                pendingDigest = nil
            }
        }
        state.sessions = sessions.map { SessionEntry(id: $0.key, timeoutMillis: $0.value) }.sorted { $0.id < $1.id }
        state.recentTxns = Array(state.recentTxns.suffix(options.keepRecentTxns))
        return summary
    }

    /// Cuts a torn tail off the newest segment, or removes a newest segment that holds no record at all (its
    /// name is the next zxid's, which the writer will want).
    private func settleLogEnd(_ summary: TxnLogReader.Summary, state: inout RecoveredState, options: RecoveryOptions) throws {
        guard let torn = summary.tornTail else {
            if options.repair, let newest = try logSegments().last,
                summary.validDataEnd <= Int64(TxnLogFormat.headerBytes)
            {
                try TxnLogFiles.remove(segment: newest.path)
                state.notes.append("removed \(newest.name), which held no record")
            }
            return
        }
        state.tornTail = torn
        state.notes.append("\(torn.segment.name): valid data ends at offset \(torn.offset) (\(torn.reason))")
        guard options.repair else { return }
        try repairTornTail(torn)
        state.tornTailRepaired = true
        state.notes.append(
            torn.segmentHasNoRecords
                ? "removed \(torn.segment.name), which held no complete record"
                : "cut \(torn.segment.name) at offset \(torn.offset)")
    }

    static let corruptionAdvice = """
        Txns after this record cannot be read, so the server stops rather than lose committed data. \
        If the rest of the ensemble is healthy, move this server's version-2 directories aside and restart it: \
        it will fetch a snapshot from the leader. Otherwise inspect the file (aviary-server logs, or ZooKeeper's \
        zkTxnLogToolkit.sh); cutting it at this offset discards every txn after it
        """

    private func loadSnapshot(options: RecoveryOptions) throws -> RecoveredState {
        var notes: [String] = []
        var failures: [String] = []
        let entries = try snapshots()
        for entry in entries {
            guard entry.compression != nil else {
                notes.append("skipped \(FileSystem.fileName(of: entry.path)): snappy snapshots are not supported")
                continue
            }
            guard SnapshotFile.looksComplete(entry) else {
                failures.append("\(FileSystem.fileName(of: entry.path)) is incomplete")
                notes.append("skipped \(FileSystem.fileName(of: entry.path)): incomplete (no final seal)")
                continue
            }
            do {
                let snapshot = try SnapshotFile.read(path: entry.path)
                notes.append(
                    "loaded \(FileSystem.fileName(of: entry.path)) (\(snapshot.tree.nodeCount) nodes, \(snapshot.sessions.count) sessions)"
                )
                var state = RecoveredState(
                    tree: snapshot.tree, sessions: snapshot.sessions, snapshotPath: entry.path,
                    snapshotZxid: snapshot.zxid)
                state.snapshotDigest = snapshot.digest
                state.notes = notes
                if let digest = snapshot.digest, digest.zxid > 0, digest.zxid == snapshot.zxid,
                    digest.version == DataTree.digestVersion,
                    snapshot.tree.treeDigest() != digest.value
                {
                    state.notes.append(
                        "tree digest differs from the one recorded in \(FileSystem.fileName(of: entry.path))")
                }
                return state
            } catch {
                failures.append("\(error)")
                notes.append("fell back from \(FileSystem.fileName(of: entry.path)): \(error)")
            }
        }
        if !entries.isEmpty {
            throw StorageError.noValidSnapshot(directory: snapshotDirectory, failures: failures)
        }
        if !(try logSegments()).isEmpty && !options.trustEmptySnapshot {
            throw StorageError.logsWithoutSnapshot(directory: snapshotDirectory)
        }
        var state = RecoveredState(tree: options.emptyTree, sessions: [], snapshotPath: nil, snapshotZxid: 0)
        state.notes = ["no snapshot: starting from an empty tree"]
        return state
    }

    private func repairTornTail(_ torn: TxnLogReader.TornTail) throws {
        if torn.segmentHasNoRecords || torn.offset <= Int64(TxnLogFormat.headerBytes) {
            // A segment without records goes entirely, so the writer can create its name again.
            try TxnLogFiles.remove(segment: torn.segment.path)
        } else if torn.segment.isCompressed {
            try TxnLogFiles.truncateLog(in: logDirectory, after: lastZxid(before: torn))
        } else {
            try TxnLogFiles.truncate(segment: torn.segment.path, atOffset: torn.offset)
        }
    }

    /// The zxid of the last intact record before a torn tail in a compressed segment.
    private func lastZxid(before torn: TxnLogReader.TornTail) throws -> Int64 {
        var last = torn.segment.startZxid - 1
        _ = try TxnLogReader(directory: logDirectory).read(segment: torn.segment) { last = $0.txn.zxid }
        return last
    }

    /// Removes files a crash left behind mid-write (dot-prefixed temporary snapshots and segments).
    private func removeTemporaryFiles() throws -> [String] {
        var notes: [String] = []
        for directory in Set([snapshotDirectory, logDirectory]).sorted() {
            for name in try FileSystem.list(directory) where name.hasPrefix(".tmp.") {
                try FileSystem.remove(FileSystem.join(directory, name))
                notes.append("removed leftover temporary file \(name)")
            }
        }
        return notes
    }
}

/// What recovery produced.
public struct RecoveredState: Sendable {
    public var tree: DataTree
    /// Global sessions alive at the end of the log, by id.
    public var sessions: [SessionEntry]
    /// The snapshot loaded, if any.
    public var snapshotPath: String?
    public var snapshotZxid: Int64
    public var snapshotDigest: SnapshotDigest?
    public var replayedTxnCount = 0
    /// The zxid of the last txn found in the logs (nil if none were read).
    public var lastLoggedZxid: Int64?
    /// Where the newest segment's valid data ended, if a torn write followed it.
    public var tornTail: TxnLogReader.TornTail?
    public var tornTailRepaired = false
    /// What happened, for the log: which snapshot, fallbacks, repairs, digest mismatches.
    public var notes: [String] = []
    /// The last replayed txns, oldest first, as many as `RecoveryOptions.keepRecentTxns` asked for.
    public var recentTxns: [Txn] = []

    /// The zxid the recovered tree reflects.
    public var lastZxid: Int64 { tree.lastProcessedZxid }

    init(tree: DataTree, sessions: [SessionEntry], snapshotPath: String?, snapshotZxid: Int64) {
        self.tree = tree
        self.sessions = sessions
        self.snapshotPath = snapshotPath
        self.snapshotZxid = snapshotZxid
    }
}
