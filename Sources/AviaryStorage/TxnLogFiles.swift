import AviaryWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Operations on whole log segments (grammar in `TxnLogFormat`): cutting a torn tail, truncating the log for a
/// TRUNC sync, and Aviary's compression of sealed segments. None of them may run while a `TxnLogWriter` has the
/// segment open. Each one leaves the directory readable if it crashes halfway: files are replaced by rename.
public enum TxnLogFiles {
    /// Cuts a raw segment at `offset` (where its valid data ends), so that nothing torn is left to be mistaken for
    /// data later. The file is shortened, not re-zeroed: reading stops at its end, for ZooKeeper too.
    public static func truncate(segment path: String, atOffset offset: Int64) throws {
        guard TxnLogFormat.parseSegmentName(FileSystem.fileName(of: path))?.compressed == false else {
            throw StorageError.unsupported(path: path, reason: "only raw segments are cut in place")
        }
        let file = try OpenFile.open(path, flags: O_RDWR)
        defer { file.close() }
        guard try file.size() > offset else { return }
        try file.truncate(to: offset)
        try file.sync()
    }

    /// Removes a segment file and makes the removal durable.
    public static func remove(segment path: String) throws {
        try FileSystem.remove(path)
        try FileSystem.syncDirectory(FileSystem.directory(of: path))
    }

    /// Drops every txn above `zxid` (ZooKeeper's `FileTxnLog.truncate`, for a TRUNC from the leader): later
    /// segments are deleted and the segment holding `zxid` is cut after its record. Returns the files changed or
    /// removed.
    @discardableResult
    public static func truncateLog(in directory: String, after zxid: Int64) throws -> [String] {
        var changed: [String] = []
        let segments = try TxnLogReader.segments(in: directory)
        for segment in segments.reversed() where segment.startZxid > zxid {
            try FileSystem.remove(segment.path)
            changed.append(segment.path)
        }
        if let holder = segments.last(where: { $0.startZxid <= zxid }) {
            let reader = TxnLogReader(directory: directory)
            var cut: Int64?
            let summary = try reader.read(segment: holder) { logged in
                if logged.txn.zxid > zxid, cut == nil { cut = logged.offset }
            }
            // Past the kept records, a torn tail goes too: nothing after the cut may look like data.
            if let offset = cut ?? (summary.tornTail != nil ? summary.validDataEnd : nil) {
                try cutSegment(holder, at: offset)
                changed.append(holder.path)
            }
        }
        try FileSystem.syncDirectory(directory)
        return changed
    }

    private static func cutSegment(_ segment: TxnLogReader.Segment, at offset: Int64) throws {
        guard segment.isCompressed else { return try truncate(segment: segment.path, atOffset: offset) }
        // A compressed segment is rewritten raw: only its prefix survives.
        let raw = FileSystem.join(
            FileSystem.directory(of: segment.path), TxnLogFormat.segmentName(startZxid: segment.startZxid))
        var bytes = try GzipDecoder.decompressFile(segment.path)
        bytes.moveWriterIndex(to: bytes.readerIndex + Int(min(offset, Int64(bytes.readableBytes))))
        try FileSystem.writeAtomically(
            raw, temporaryPath: temporaryPath(for: raw), bytes: Array(bytes.readableBytesView))
        try remove(segment: segment.path)
    }

    /// Aviary's extension (DESIGN.md §1): replaces a sealed segment by `log.<zxid>.gz`, gzip of its bytes up to
    /// the end of its last record (preallocation zeros dropped). The `.gz` file is fsynced and renamed into
    /// place before the raw file is removed, so a crash leaves one or the other (a raw file wins if both exist).
    /// Refuses a segment with a corrupt record. Returns the new path.
    public static func compressSealedSegment(path: String) throws -> String {
        let name = FileSystem.fileName(of: path)
        guard let (zxid, compressed) = TxnLogFormat.parseSegmentName(name) else {
            throw StorageError.unsupported(path: path, reason: "not a txn log segment name")
        }
        if compressed { return path }
        let directory = FileSystem.directory(of: path)
        let segment = TxnLogReader.Segment(path: path, startZxid: zxid, isCompressed: false)
        let summary = try TxnLogReader(directory: directory).read(segment: segment) { _ in }
        let target = path + TxnLogFormat.compressedSuffix
        let temporary = temporaryPath(for: target)
        try writeCompressed(from: path, length: summary.validDataEnd, to: temporary)
        try FileSystem.rename(temporary, to: target)
        try FileSystem.syncDirectory(directory)
        try remove(segment: path)
        return target
    }

    private static func writeCompressed(from source: String, length: Int64, to destination: String) throws {
        let input = try OpenFile.open(source, flags: O_RDONLY)
        defer { input.close() }
        let output = try OpenFile.open(destination, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { output.close() }
        do {
            // The fastest level: a sealed segment of a busy server is compressed every few seconds, and level 6
            // costs about five times the CPU for a ratio of 9.4 instead of 7.8 (16 MB of set txns: 278 vs 58 ms).
            let encoder = try GzipEncoder(level: GzipEncoder.fastestLevel)
            var chunk = ByteBufferAllocator().buffer(capacity: 1 << 20)
            var readOffset: Int64 = 0
            var writeOffset: Int64 = 0
            let emit = { (bytes: UnsafeRawBufferPointer) throws in
                try output.write(bytes, at: writeOffset)
                writeOffset += Int64(bytes.count)
            }
            while readOffset < length {
                chunk.clear()
                let count = try input.read(
                    count: Int(min(Int64(1 << 20), length - readOffset)), at: readOffset, appendingTo: &chunk)
                guard count > 0 else { break }
                readOffset += Int64(count)
                try encoder.compress(chunk, finish: false, emit: emit)
            }
            try encoder.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, emit: emit)
            try output.sync()
        } catch {
            try? FileSystem.remove(destination)
            throw error
        }
    }

    /// Writes a `.gz` segment back in ZooKeeper's raw format (no preallocation: the file ends after the last
    /// record, which ZooKeeper reads as the end). Returns the number of bytes written.
    @discardableResult
    public static func decompress(segment path: String, to destination: String) throws -> Int {
        let bytes = try GzipDecoder.decompressFile(path)
        try FileSystem.writeAtomically(
            destination, temporaryPath: temporaryPath(for: destination), bytes: Array(bytes.readableBytesView))
        return bytes.readableBytes
    }

    /// Decompresses every `.gz` segment of `directory` in place (raw file written, then the `.gz` removed), so
    /// that ZooKeeper can read the directory. Returns the raw paths written.
    @discardableResult
    public static func decompressAll(in directory: String) throws -> [String] {
        var written: [String] = []
        for segment in try TxnLogReader.segments(in: directory) where segment.isCompressed {
            let raw = FileSystem.join(directory, TxnLogFormat.segmentName(startZxid: segment.startZxid))
            try decompress(segment: segment.path, to: raw)
            try remove(segment: segment.path)
            written.append(raw)
        }
        return written
    }

    /// Temporary files start with a dot and so match neither Aviary's nor ZooKeeper's `log.` prefix.
    static func temporaryPath(for path: String) -> String {
        FileSystem.join(FileSystem.directory(of: path), ".tmp." + FileSystem.fileName(of: path))
    }
}
