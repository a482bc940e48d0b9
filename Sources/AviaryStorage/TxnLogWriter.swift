import AviaryWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends txns to the active log segment in ZooKeeper's format (grammar in `TxnLogFormat`), with group commit:
/// `append` only encodes into memory; `flushAndSync` writes everything appended since the last call with one
/// `pwrite` and makes it durable with one `fdatasync`. Call it once per batch, then acknowledge the batch.
///
/// Used from one storage thread; not Sendable. After a crash, recover (`DataDirectory.recover`) before creating a
/// writer: recovery cuts a torn tail, and the writer always starts a new segment, as ZooKeeper's does.
public final class TxnLogWriter {
    public let directory: String
    public let preallocationBytes: Int
    public let forceSync: Bool
    /// The zxid of the last txn given to `append` (0 before any).
    public private(set) var lastAppendedZxid: Int64
    /// The path of the segment being written, if one is open.
    public var activeSegmentPath: String? { active?.file.path }
    /// Bytes of data (header and records, not padding) in the active segment, including those not yet written;
    /// for rolling by size (ZooKeeper's `zookeeper.txnLogSizeLimitInKb`).
    public var activeSegmentBytes: Int64 { active.map { $0.writtenBytes + Int64(pending.readableBytes) } ?? 0 }

    private struct ActiveSegment {
        var file: OpenFile
        /// Bytes written to the file so far; the next write goes here.
        var writtenBytes: Int64
        /// The file's size, with preallocation.
        var allocatedBytes: Int64
        /// The directory entry of a new file must be made durable once.
        var directoryNeedsSync: Bool
    }

    private var active: ActiveSegment?
    private var pending = ByteBufferAllocator().buffer(capacity: 1 << 16)
    private var unsyncedBytes = false

    /// - Parameters:
    ///   - directory: the `version-2` directory of dataLogDir; it must exist.
    ///   - preallocationBytes: grow files in steps of this many zero bytes (ZooKeeper's preAllocSize, 64 MiB by
    ///     default); 0 turns preallocation off.
    ///   - forceSync: false skips fdatasync (ZooKeeper's `forceSync=no`: fast, and unsafe on power loss).
    ///   - lastLoggedZxid: the last zxid already in the log, so that appends can be checked to increase.
    public init(directory: String, preallocationBytes: Int, forceSync: Bool, lastLoggedZxid: Int64 = 0) throws {
        precondition(preallocationBytes >= 0)
        var status = stat()
        guard stat(directory, &status) == 0 else { throw SystemCall.error("stat", directory) }
        self.directory = directory
        self.preallocationBytes = preallocationBytes
        self.forceSync = forceSync
        self.lastAppendedZxid = lastLoggedZxid
    }

    deinit {
        active?.file.close()
    }

    /// Encodes `txn` into the write buffer, opening a new segment named after its zxid if none is open.
    /// Nothing reaches the disk until `flushAndSync`.
    public func append(_ txn: Txn) throws {
        guard txn.zxid > lastAppendedZxid else {
            throw StorageError.zxidNotIncreasing(previous: lastAppendedZxid, zxid: txn.zxid)
        }
        if active == nil { try openSegment(startZxid: txn.zxid) }
        TxnLogFormat.writeRecord(txn, into: &pending)
        lastAppendedZxid = txn.zxid
    }

    /// Writes what `append` buffered and, with forceSync, waits until it is on disk. The group-commit point:
    /// one write and one fdatasync however many txns were appended. Cheap when nothing is pending.
    public func flushAndSync() throws {
        guard var segment = active else { return }
        if pending.readableBytes > 0 {
            let end = segment.writtenBytes + Int64(pending.readableBytes)
            try preallocate(&segment, forDataEndingAt: end)
            try segment.file.write(pending, at: segment.writtenBytes)
            segment.writtenBytes = end
            pending.clear()
            unsyncedBytes = true
            active = segment
        }
        guard unsyncedBytes else { return }
        if forceSync {
            try segment.file.syncData()
            if segment.directoryNeedsSync {
                try FileSystem.syncDirectory(directory)
                active?.directoryNeedsSync = false
            }
        }
        unsyncedBytes = false
    }

    /// Seals the active segment: writes and syncs what is pending, closes it, and returns its path so it can be
    /// compressed off the hot path. The next `append` opens a new segment. ZooKeeper rolls when a snapshot starts.
    @discardableResult
    public func roll() throws -> String? {
        try flushAndSync()
        guard let segment = active else { return nil }
        segment.file.close()
        active = nil
        return segment.file.path
    }

    /// Writes and syncs what is pending, then closes the active segment.
    public func close() throws {
        try roll()
    }

    private func openSegment(startZxid: Int64) throws {
        let path = FileSystem.join(directory, TxnLogFormat.segmentName(startZxid: startZxid))
        // Never truncate an existing segment: a name collision means recovery was skipped or the zxid repeats.
        let file: OpenFile
        do {
            file = try OpenFile.open(path, flags: O_WRONLY | O_CREAT | O_EXCL)
        } catch StorageError.io(_, _, EEXIST) {
            throw StorageError.segmentExists(path: path)
        }
        pending.clear()
        TxnLogFormat.writeHeader(into: &pending)
        active = ActiveSegment(file: file, writtenBytes: 0, allocatedBytes: 0, directoryNeedsSync: true)
    }

    /// Grows the file by preallocation steps while the data would come within 4 KiB of its end (ZooKeeper's
    /// `FilePadding` rule), so the size seldom changes and fdatasync seldom has metadata to write.
    private func preallocate(_ segment: inout ActiveSegment, forDataEndingAt end: Int64) throws {
        guard preallocationBytes > 0 else { return }
        let step = Int64(preallocationBytes)
        var size = segment.allocatedBytes
        while end + 4096 >= size {
            if end > size {
                size = end + step
                size -= size % step
            } else {
                size += step
            }
        }
        guard size != segment.allocatedBytes else { return }
        try segment.file.allocate(upTo: size)
        segment.allocatedBytes = size
    }
}
