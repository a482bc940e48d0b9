import AviaryDataTree
import AviaryWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Grammar of a snapshot file (ZooKeeper's `FileSnap`, `SnapStream`, `SerializeUtils.serializeSnapshot`):
///
///     snapshot   = FileHeader sessions tree seal [zxidDigest seal] [long lastProcessedZxid seal]
///     FileHeader = int magic ("ZKSN" = 0x5A4B534E), int version (2), long dbid (-1)
///     sessions   = int count, count × (long sessionId, int timeoutMillis)
///     tree       = see DataTree+Snapshot.swift (ACL table, then nodes in pre-order ending with path "/")
///     seal       = long adler32, ustring "/"
///     zxidDigest = long zxid, int digestVersion, long digest     (digestVersion < 2: ustring hexDigest)
///
/// Each seal's Adler32 covers every byte before it (earlier seals included) of the **uncompressed** stream.
/// ZooKeeper 3.6+ writes the digest section when `zookeeper.digest.enabled` (default on); 3.9 adds the
/// lastProcessedZxid section. Readers of 3.8 and 3.9 treat both as optional (they stop at end of file), so Aviary
/// writes the digest and leaves the 3.9 section out; it reads all three forms.
///
/// File name: `snapshot.<lastProcessedZxid in lowercase hex>` plus `.gz` for gzip; the suffix alone selects the
/// codec, as in ZooKeeper. Files are written under a dot-prefixed temporary name, fsynced, renamed, and the
/// directory fsynced, so a crash never leaves a half snapshot under a real name.
public enum SnapshotFile {
    public static let magic: Int32 = 0x5A4B_534E
    public static let version: Int32 = 2
    public static let dbid: Int64 = -1
    public static let filePrefix = "snapshot."

    public struct Entry: Sendable, Hashable {
        public var path: String
        public var zxid: Int64
        /// nil for a codec Aviary does not read (`.snappy`).
        public var compression: SnapshotCompression?
    }

    public static func fileName(zxid: Int64, compression: SnapshotCompression) -> String {
        filePrefix + String(zxid, radix: 16) + compression.fileSuffix
    }

    /// The zxid and codec of a snapshot file name; nil for any other name.
    public static func parseFileName(_ name: String) -> (zxid: Int64, compression: SnapshotCompression?)? {
        guard name.hasPrefix(filePrefix) else { return nil }
        let parts = name.dropFirst(filePrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard let hex = parts.first, !hex.isEmpty, hex.count <= 16, let value = UInt64(hex, radix: 16),
            value <= UInt64(Int64.max), parts.count <= 2
        else { return nil }
        let compression: SnapshotCompression?
        switch parts.count == 2 ? String(parts[1]) : "" {
        case "": compression = SnapshotCompression.none
        case "gz": compression = .gzip
        case "snappy": compression = nil
        default: return nil
        }
        return (Int64(value), compression)
    }

    /// The snapshots in `directory`, newest first.
    public static func list(in directory: String) throws -> [Entry] {
        try FileSystem.list(directory).compactMap { name in
            parseFileName(name).map {
                Entry(path: FileSystem.join(directory, name), zxid: $0.zxid, compression: $0.compression)
            }
        }.sorted {
            ($0.zxid, $0.compression == SnapshotCompression.none ? 1 : 0) > (
                $1.zxid, $1.compression == SnapshotCompression.none ? 1 : 0
            )
        }
    }

    /// ZooKeeper's quick check before it trusts a snapshot (`SnapStream.isValidSnapshot`): a raw file ends with a
    /// seal's "/" (int 1, '/'), a gzip file starts with the gzip magic. Says nothing about the checksum.
    public static func looksComplete(_ entry: Entry) -> Bool {
        guard let compression = entry.compression, let file = try? OpenFile.open(entry.path, flags: O_RDONLY) else {
            return false
        }
        defer { file.close() }
        var bytes = [UInt8](repeating: 0, count: 5)
        switch compression {
        case .gzip:
            let count = (try? bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }) ?? 0
            return count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
        case .none:
            guard let size = try? file.size(), size >= 10 else { return false }
            let count = (try? bytes.withUnsafeMutableBytes { try file.read(into: $0, at: size - 5) }) ?? 0
            return count == 5 && bytes == [0, 0, 0, 1, UInt8(ascii: "/")]
        }
    }

    // MARK: Writing

    /// Writes `tree` as `snapshot.<zxid>[.gz]` in `directory` and returns its path. `zxid` names the file and is
    /// where replay will start; it is normally `tree.lastProcessedZxid`. With `includeDigest`, the digest section
    /// records `tree.treeDigest()` at `tree.lastProcessedZxid` (the tree is a value, so the snapshot is exact, and
    /// ZooKeeper loading it compares that digest).
    public static func write(
        tree: DataTree, sessions: [SessionEntry], zxid: Int64, directory: String,
        compression: SnapshotCompression, includeDigest: Bool = true
    ) throws -> String {
        let path = FileSystem.join(directory, fileName(zxid: zxid, compression: compression))
        let temporary = TxnLogFiles.temporaryPath(for: path)
        let file = try OpenFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            var sink = try SealedStreamSink(file: file, compression: compression)
            var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
            buffer.writeJuteInt(magic)
            buffer.writeJuteInt(version)
            buffer.writeJuteLong(dbid)
            buffer.writeJuteInt(Int32(sessions.count))
            for session in sessions.sorted(by: { $0.id < $1.id }) {
                buffer.writeJuteLong(session.id)
                buffer.writeJuteInt(session.timeoutMillis)
            }
            let digest = try tree.serializeSnapshotTree(into: &buffer, flushAtBytes: 1 << 20) { try sink.consume(&$0) }
            try sink.seal(&buffer)
            if includeDigest {
                buffer.writeJuteLong(tree.lastProcessedZxid)
                buffer.writeJuteInt(DataTree.digestVersion)
                buffer.writeJuteLong(digest)
                try sink.seal(&buffer)
            }
            try sink.finish()
            try file.sync()
            file.close()
        } catch {
            file.close()
            try? FileSystem.remove(temporary)
            throw error
        }
        try FileSystem.rename(temporary, to: path)
        try FileSystem.syncDirectory(directory)
        return path
    }

    // MARK: Reading

    /// Reads and verifies a snapshot: header, every seal, and a tree that links up. The zxid is taken from the
    /// file name, as ZooKeeper takes it.
    public static func read(path: String) throws -> LoadedSnapshot {
        guard let (zxid, codec) = parseFileName(FileSystem.fileName(of: path)) else {
            throw StorageError.unsupported(path: path, reason: "not a snapshot file name")
        }
        guard let compression = codec else {
            throw StorageError.unsupported(path: path, reason: "snappy-compressed snapshots are not supported")
        }
        let bytes: ByteBuffer
        do {
            bytes = compression == .gzip ? try GzipDecoder.decompressFile(path) : try FileSystem.readFile(path)
        } catch let error as GzipError {
            throw StorageError.corruptSnapshot(file: path, reason: error.reason)
        }
        do {
            return try parse(bytes, path: path, zxid: zxid)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.corruptSnapshot(file: path, reason: "\(error)")
        }
    }

    private static func parse(_ bytes: ByteBuffer, path: String, zxid: Int64) throws -> LoadedSnapshot {
        var reader = JuteReader(bytes)
        var seals = SealChecker(stream: bytes, path: path)
        let fileMagic = try reader.readInt("magic")
        guard fileMagic == magic else {
            throw StorageError.corruptSnapshot(
                file: path, reason: "magic 0x\(String(UInt32(bitPattern: fileMagic), radix: 16)) is not ZKSN")
        }
        let fileVersion = try reader.readInt("version")
        guard fileVersion == version else {
            throw StorageError.corruptSnapshot(file: path, reason: "format version \(fileVersion) is not 2")
        }
        _ = try reader.readLong("dbid")
        let count = try reader.readInt("session count")
        guard count >= 0, Int(count) <= reader.remainingBytes / 12 else {
            throw StorageError.corruptSnapshot(file: path, reason: "session count \(count) does not fit in the file")
        }
        var sessions: [SessionEntry] = []
        sessions.reserveCapacity(Int(count))
        for _ in 0..<count {
            sessions.append(
                SessionEntry(id: try reader.readLong("session id"), timeoutMillis: try reader.readInt("timeout")))
        }
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: zxid)
        try seals.check(&reader)
        var snapshot = LoadedSnapshot(tree: tree, sessions: sessions, zxid: zxid, path: path)
        // What follows the first seal is told apart by length: the 3.9 section with its seal is 21 bytes, a
        // digest section with its seal 33 (more with a pre-3.6 hex digest).
        if reader.remainingBytes > 0 && reader.remainingBytes != 21 {
            let digestZxid = try reader.readLong("digest zxid")
            let digestVersion = try reader.readInt("digest version")
            let value: Int64
            if digestVersion < 2 {
                let hex = try reader.readString("digest")
                guard let parsed = Int64(hex, radix: 16) else {
                    throw StorageError.corruptSnapshot(file: path, reason: "digest '\(hex)' is not hexadecimal")
                }
                value = parsed
            } else {
                value = try reader.readLong("digest")
            }
            try seals.check(&reader)
            snapshot.digest = SnapshotDigest(zxid: digestZxid, version: digestVersion, value: value)
        }
        if reader.remainingBytes == 21 {
            snapshot.recordedLastProcessedZxid = try reader.readLong("lastProcessedZxid")
            try seals.check(&reader)
        }
        guard reader.isAtEnd else {
            throw StorageError.corruptSnapshot(
                file: path, reason: "\(reader.remainingBytes) unexpected bytes after the last seal")
        }
        return snapshot
    }
}

/// Checks seals while reading: each one must equal the Adler32 of all bytes before it.
private struct SealChecker {
    let stream: ByteBuffer
    let path: String
    var adler = Adler32()
    var checkedUpTo = 0

    init(stream: ByteBuffer, path: String) {
        self.stream = stream
        self.path = path
    }

    mutating func check(_ reader: inout JuteReader) throws {
        let position = reader.buffer.readerIndex - stream.readerIndex
        adler.update(stream.getSlice(at: stream.readerIndex + checkedUpTo, length: position - checkedUpTo)!)
        let expected = adler.value
        let stored = try reader.readLong("seal")
        let slash = try reader.readString("seal path")
        guard stored == Int64(expected), slash == "/" else {
            throw StorageError.corruptSnapshot(
                file: path,
                reason:
                    "seal at byte \(position) holds 0x\(String(UInt64(bitPattern: stored), radix: 16)) '\(slash)',"
                    + " the data sums to 0x\(String(expected, radix: 16))"
            )
        }
        // The seal's own bytes count toward the next seal.
        let after = reader.buffer.readerIndex - stream.readerIndex
        adler.update(stream.getSlice(at: stream.readerIndex + position, length: after - position)!)
        checkedUpTo = after
    }
}

/// The output side of a snapshot: keeps the Adler32 of the uncompressed stream and writes raw or gzip.
private struct SealedStreamSink {
    let file: OpenFile
    let encoder: GzipEncoder?
    var adler = Adler32()
    var offset: Int64 = 0

    init(file: OpenFile, compression: SnapshotCompression) throws {
        self.file = file
        // The fastest level: a busy server snapshots every few seconds, and level 6 takes five times the CPU for a
        // ratio of 14.4 instead of 11.5 (a 115 MB snapshot: 1.57 s against 0.32 s); gzip readers take either.
        encoder = compression == .gzip ? try GzipEncoder(level: GzipEncoder.fastestLevel) : nil
    }

    /// Checksums and writes the buffer's readable bytes, then empties it.
    mutating func consume(_ buffer: inout ByteBuffer) throws {
        adler.update(buffer)
        if let encoder {
            var written = offset
            try encoder.compress(buffer, finish: false) { bytes in
                try file.write(bytes, at: written)
                written += Int64(bytes.count)
            }
            offset = written
        } else {
            try file.write(buffer, at: offset)
            offset += Int64(buffer.readableBytes)
        }
        buffer.clear()
    }

    /// Writes what is buffered, then a seal over everything so far.
    mutating func seal(_ buffer: inout ByteBuffer) throws {
        try consume(&buffer)
        buffer.writeJuteLong(Int64(adler.value))
        buffer.writeJuteString("/")
        try consume(&buffer)
    }

    mutating func finish() throws {
        guard let encoder else { return }
        var written = offset
        try encoder.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { bytes in
            try file.write(bytes, at: written)
            written += Int64(bytes.count)
        }
        offset = written
    }
}
