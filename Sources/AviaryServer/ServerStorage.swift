import AviaryDataTree
import AviaryStorage
import Logging

/// The data directory as a server starts on it: the recovered state, the log writer positioned after it, and
/// the background snapshot service.
struct ServerStorage {
    var directory: DataDirectory
    var recovered: RecoveredState
    var writer: TxnLogWriter
    var snapshots: SnapshotService

    /// `keepRecentTxns`: how many of the last logged txns recovery hands back (`RecoveredState.recentTxns`).
    static func open(configuration: ServerConfiguration, keepRecentTxns: Int = 0, logger: Logger) throws -> ServerStorage {
        let started = ContinuousClock.now
        let directory: DataDirectory
        let recovered: RecoveredState
        do {
            directory = try DataDirectory(dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir)
            var options = DataDirectory.RecoveryOptions()
            options.keepRecentTxns = keepRecentTxns
            recovered = try directory.recover(options: options)
        } catch {
            throw StartupError("cannot recover the data directory: \(error)")
        }
        for note in recovered.notes {
            logger.notice("\(note)")
        }
        logger.info(
            "recovered data directory",
            metadata: [
                "zxid": "0x\(String(recovered.lastZxid, radix: 16))", "nodes": "\(recovered.tree.nodeCount)",
                "sessions": "\(recovered.sessions.count)", "replayed": "\(recovered.replayedTxnCount)",
                "elapsed": "\(ContinuousClock.now - started)",
            ])
        if !configuration.forceSync {
            logger.warning("forceSync=no: acknowledged writes can be lost if the machine fails")
        }
        let snapshots = SnapshotService(
            directory: directory, compression: configuration.storageSnapshotCompression,
            compressSealedSegments: configuration.txnLogCompression, logger: logger)
        if recovered.snapshotPath == nil {
            // Like ZooKeeper, start every history from a snapshot, so later recoveries know where it begins.
            try snapshots.snapshotNow(tree: recovered.tree, sessions: recovered.sessions.map { ($0.id, $0.timeoutMillis) })
        } else {
            // A previous run may have stopped before compressing what its last snapshot made unnecessary.
            snapshots.compressSegmentsNotNeeded(after: recovered.snapshotZxid)
        }
        let writer = try openWriter(
            directory: directory, configuration: configuration,
            lastLoggedZxid: max(recovered.lastLoggedZxid ?? 0, recovered.lastZxid))
        return ServerStorage(directory: directory, recovered: recovered, writer: writer, snapshots: snapshots)
    }

    static func openWriter(directory: DataDirectory, configuration: ServerConfiguration, lastLoggedZxid: Int64) throws
        -> TxnLogWriter
    {
        do {
            return try TxnLogWriter(
                directory: directory.logDirectory, preallocationBytes: configuration.preAllocSizeKB * 1024,
                forceSync: configuration.forceSync, lastLoggedZxid: lastLoggedZxid)
        } catch {
            throw StartupError("cannot open the transaction log: \(error)")
        }
    }
}

extension ServerConfiguration {
    var storageSnapshotCompression: AviaryStorage.SnapshotCompression {
        switch snapshotCompression {
        case .none: .none
        case .gzip: .gzip
        case .snappy: .gzip
        }
    }
}
