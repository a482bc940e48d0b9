import AviaryDataTree
import AviaryStorage
import Logging
import NIOConcurrencyHelpers

/// Background disk work that must not hold up requests: writing snapshots, compressing sealed log segments and
/// purging old files. One serial worker, so these never race each other.
final class SnapshotService: Sendable {
    let directory: DataDirectory
    let compression: AviaryStorage.SnapshotCompression
    let compressSealedSegments: Bool
    private let logger: Logger
    private let queue = BackgroundWorker(name: "aviary-snapshots")
    private let snapshotInFlight = NIOLockedValueBox(false)

    init(directory: DataDirectory, compression: AviaryStorage.SnapshotCompression, compressSealedSegments: Bool, logger: Logger) {
        self.directory = directory
        self.compression = compression
        self.compressSealedSegments = compressSealedSegments
        self.logger = logger
    }

    /// Writes a snapshot of `tree` in the background. The tree is a value: the copy handed over here is exactly
    /// the state at its `lastProcessedZxid`, whatever the event loop applies meanwhile. Skipped if one is running.
    func snapshot(tree: DataTree, sessions: [(id: Int64, timeoutMillis: Int32)]) {
        let alreadyRunning = snapshotInFlight.withLockedValue { running in
            defer { running = true }
            return running
        }
        if alreadyRunning {
            logger.warning("snapshot still being written; skipping this one")
            return
        }
        let entries = sessions.map { SessionEntry(id: $0.id, timeoutMillis: $0.timeoutMillis) }
        queue.async { [self] in
            defer { snapshotInFlight.withLockedValue { $0 = false } }
            let started = ContinuousClock.now
            do {
                let path = try SnapshotFile.write(
                    tree: tree, sessions: entries, zxid: tree.lastProcessedZxid,
                    directory: directory.snapshotDirectory, compression: compression)
                logger.info(
                    "snapshot written",
                    metadata: [
                        "file": "\(path)", "nodes": "\(tree.nodeCount)", "elapsed": "\(ContinuousClock.now - started)",
                    ])
                compressSegments(before: tree.lastProcessedZxid)
            } catch {
                logger.error("cannot write snapshot", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Compresses, in the background, every sealed segment that recovery from the snapshot at `zxid` no longer
    /// reads: those whose successor starts at or before that zxid. Segments recovery needs stay raw, so restarts
    /// read them at full speed and ZooKeeper itself can still start on this directory.
    func compressSegmentsNotNeeded(after zxid: Int64) {
        queue.async { [self] in compressSegments(before: zxid) }
    }

    private func compressSegments(before zxid: Int64) {
        guard compressSealedSegments else { return }
        do {
            let segments = try directory.logSegments()
            for (segment, next) in zip(segments, segments.dropFirst()) where !segment.isCompressed && next.startZxid <= zxid {
                let started = ContinuousClock.now
                let compressed = try TxnLogFiles.compressSealedSegment(path: segment.path)
                logger.info(
                    "compressed sealed log segment",
                    metadata: ["file": "\(compressed)", "elapsed": "\(ContinuousClock.now - started)"])
            }
        } catch {
            logger.error("cannot compress log segments", metadata: ["error": "\(error)"])
        }
    }

    /// Writes a snapshot and waits for it (start-up on an empty directory).
    func snapshotNow(tree: DataTree, sessions: [(id: Int64, timeoutMillis: Int32)]) throws {
        let entries = sessions.map { SessionEntry(id: $0.id, timeoutMillis: $0.timeoutMillis) }
        _ = try SnapshotFile.write(
            tree: tree, sessions: entries, zxid: tree.lastProcessedZxid, directory: directory.snapshotDirectory,
            compression: compression)
    }

    func purge(retainSnapshots: Int) {
        queue.async { [directory, logger] in
            do {
                let removed = try directory.purge(retainSnapshots: retainSnapshots)
                logger.info("purged old snapshots and logs", metadata: ["removed": "\(removed.count)"])
            } catch {
                logger.error("purge failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Waits for queued background work (shutdown).
    func drain() {
        queue.drain()
    }
}
