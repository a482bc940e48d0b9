import AviaryWire
import NIOCore

/// Grammar of a txn log segment (ZooKeeper's `FileTxnLog`, version 2), byte for byte:
///
///     segment    = FileHeader *record [padding]
///     FileHeader = int magic ("ZKLG" = 0x5A4B4C47), int version (2), long dbid (0)
///     record     = long checksum, int length, byte[length] payload, byte 0x42 ('B')
///     payload    = TxnHeader body [TxnDigest]            (AviaryWire's `Txn`)
///     padding    = zero bytes up to the preallocated size
///
/// `checksum` is Adler32 over the payload bytes only (not the length, not the 'B'), stored as a long whose high
/// half is zero. A record whose length is 0 ends the data: that is how preallocated space reads. ZooKeeper grows the
/// file in `zookeeper.preAllocSize` steps (64 MiB) whenever the data comes within 4 KiB of the end.
///
/// File names: `log.<zxid of the segment's first txn in lowercase hex, no padding>`. Aviary's sealed form is
/// `log.<hex>.gz`: gzip of the segment's bytes up to the end of its last record (DESIGN.md §1). ZooKeeper itself
/// never compresses logs and would misread a `.gz` segment, so decompress them before handing the directory to it.
public enum TxnLogFormat {
    public static let magic: Int32 = 0x5A4B_4C47
    public static let version: Int32 = 2
    public static let dbid: Int64 = 0
    public static let headerBytes = 16
    /// checksum (8) + length (4) + end-of-record byte (1).
    public static let recordOverheadBytes = 13
    public static let endOfRecord: UInt8 = 0x42
    public static let filePrefix = "log."
    public static let compressedSuffix = ".gz"
    /// ZooKeeper's `jute.maxbuffer` (1 MiB - 1) plus its 1 KiB of slack is the most it will read; Aviary reads
    /// larger records by default, for servers configured with a larger `jute.maxbuffer`.
    public static let defaultMaximumRecordBytes = 64 << 20

    public static func segmentName(startZxid: Int64) -> String {
        filePrefix + String(startZxid, radix: 16)
    }

    /// The start zxid and form of a segment file name; nil for any other name (temporary files, `.fixed` copies
    /// written by `zkTxnLogToolkit.sh -r`, and the like).
    public static func parseSegmentName(_ name: String) -> (startZxid: Int64, compressed: Bool)? {
        guard name.hasPrefix(filePrefix) else { return nil }
        var hex = name.dropFirst(filePrefix.count)
        let compressed = hex.hasSuffix(compressedSuffix)
        if compressed { hex = hex.dropLast(compressedSuffix.count) }
        guard !hex.isEmpty, hex.count <= 16, let value = UInt64(hex, radix: 16), value <= UInt64(Int64.max) else {
            return nil
        }
        return (Int64(value), compressed)
    }

    public static func writeHeader(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(magic)
        buffer.writeJuteInt(version)
        buffer.writeJuteLong(dbid)
    }

    /// Appends one framed record holding `txn`.
    public static func writeRecord(_ txn: Txn, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeJuteLong(0)
        buffer.writeJuteInt(0)
        let payloadStart = buffer.writerIndex
        txn.encode(to: &buffer)
        let payloadLength = buffer.writerIndex - payloadStart
        let checksum = buffer.withUnsafeReadableBytes { bytes in
            var adler = Adler32()
            adler.update(UnsafeRawBufferPointer(rebasing: bytes[(payloadStart - buffer.readerIndex)...]))
            return adler.value
        }
        buffer.setInteger(Int64(checksum), at: start, endianness: .big)
        buffer.setInteger(Int32(payloadLength), at: start + 8, endianness: .big)
        buffer.writeInteger(endOfRecord)
    }
}

/// How the scan of one segment ended.
enum SegmentEnd: Equatable {
    /// The end of the file, or zero padding: nothing was lost.
    case clean(offset: Int64)
    /// A record that looks unfinished: the file ends inside it, or its end-of-record byte is still zero, or a
    /// checksum came without a length. ZooKeeper reads these as the end of the segment.
    case partial(offset: Int64, reason: String)
    /// A record that is all there but wrong: checksum mismatch, impossible length, wrong end-of-record byte.
    case damaged(offset: Int64, reason: String)
    /// The 16-byte file header is missing (the file was created but its header never reached the disk).
    case missingHeader(reason: String)

    var offset: Int64 {
        switch self {
        case .clean(let offset), .partial(let offset, _), .damaged(let offset, _): offset
        case .missingHeader: 0
        }
    }
}

/// A record read back from a segment: where it starts and its payload, checksum verified.
struct RawRecord {
    var offset: Int64
    var payload: ByteBuffer
}

/// One step of a segment scan.
enum ScanStep {
    case record(RawRecord)
    case end(SegmentEnd)
}

/// Reads a segment's records one at a time from a `ByteSource`, keeping only a window of the file in memory.
struct SegmentScanner {
    private var source: any ByteSource
    private var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
    /// File offset of `window.readerIndex`.
    private(set) var offset: Int64 = 0
    private var sourceEnded = false
    let maximumRecordBytes: Int

    init(source: any ByteSource, maximumRecordBytes: Int) {
        self.source = source
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// Makes `count` bytes readable in the window if the file has them.
    private mutating func ensure(_ count: Int) throws -> Bool {
        while window.readableBytes < count && !sourceEnded {
            window.discardReadBytes()
            if try source.read(into: &window) == 0 { sourceEnded = true }
        }
        return window.readableBytes >= count
    }

    /// Reads and checks the file header; a non-nil result is why the segment cannot be read at all.
    mutating func readHeader(file: String) throws -> SegmentEnd? {
        guard try ensure(TxnLogFormat.headerBytes) else {
            return .missingHeader(reason: "the file is \(window.readableBytes) bytes long, shorter than its header")
        }
        let header = window.readableBytesView.prefix(TxnLogFormat.headerBytes)
        if header.allSatisfy({ $0 == 0 }) { return .missingHeader(reason: "the header is all zeros") }
        let magic = window.readInteger(endianness: .big, as: Int32.self)!
        let version = window.readInteger(endianness: .big, as: Int32.self)!
        window.moveReaderIndex(forwardBy: 8)
        offset = Int64(TxnLogFormat.headerBytes)
        guard magic == TxnLogFormat.magic else {
            throw StorageError.corruptSegmentHeader(
                file: file, reason: "magic 0x\(String(UInt32(bitPattern: magic), radix: 16)) is not ZKLG")
        }
        guard version == TxnLogFormat.version else {
            throw StorageError.corruptSegmentHeader(file: file, reason: "format version \(version) is not 2")
        }
        return nil
    }

    /// The next record, or how the data ends.
    mutating func next() throws -> ScanStep {
        let start = offset
        guard try ensure(12) else {
            if window.readableBytesView.allSatisfy({ $0 == 0 }) { return .end(.clean(offset: start)) }
            return .end(.partial(offset: start, reason: "the file ends inside a record's checksum and length"))
        }
        let checksum = window.getInteger(at: window.readerIndex, endianness: .big, as: Int64.self)!
        let length = window.getInteger(at: window.readerIndex + 8, endianness: .big, as: Int32.self)!
        if length == 0 {
            if checksum == 0 { return .end(.clean(offset: start)) }
            return .end(.partial(offset: start, reason: "a checksum is followed by a zero length"))
        }
        guard length > 0, Int(length) <= maximumRecordBytes else {
            return .end(.damaged(offset: start, reason: "record length \(length) is impossible"))
        }
        let total = TxnLogFormat.recordOverheadBytes + Int(length)
        guard try ensure(total) else {
            return .end(.partial(offset: start, reason: "the file ends inside a record of \(length) bytes"))
        }
        let payload = window.getSlice(at: window.readerIndex + 12, length: Int(length))!
        let marker = window.getInteger(at: window.readerIndex + 12 + Int(length), as: UInt8.self)!
        let actual = Adler32.checksum(payload)
        guard checksum == Int64(actual) else {
            let stored = "0x" + String(UInt64(bitPattern: checksum), radix: 16)
            return .end(
                .damaged(
                    offset: start,
                    reason: "checksum \(stored) does not match Adler32 0x\(String(actual, radix: 16)) of the payload"))
        }
        guard marker == TxnLogFormat.endOfRecord else {
            if marker == 0 { return .end(.partial(offset: start, reason: "the end-of-record byte was never written")) }
            return .end(
                .damaged(offset: start, reason: "end-of-record byte is 0x\(String(marker, radix: 16)), not 0x42"))
        }
        window.moveReaderIndex(forwardBy: total)
        offset += Int64(total)
        return .record(RawRecord(offset: start, payload: payload))
    }

    /// Whether any intact record starts after `offset` in the rest of the file: if one does, the damage at
    /// `offset` is in the middle of the data, not a torn tail. Reads the rest of the file.
    mutating func intactRecordExists(after damage: Int64) throws -> Bool {
        while !sourceEnded {
            if try source.read(into: &window) == 0 { sourceEnded = true }
        }
        let skip = Int(damage - offset) + 1
        guard skip >= 0, skip <= window.readableBytes else { return false }
        return window.withUnsafeReadableBytes { bytes in
            Self.findIntactRecord(
                in: UnsafeRawBufferPointer(rebasing: bytes[skip...]), maximumRecordBytes: maximumRecordBytes)
        }
    }

    /// Whether the damaged record at `damage` has the shape of a write that did not fully reach the disk rather
    /// than of changed bits: a whole 512-byte sector inside it reads as zeros, or its end (from a sector boundary
    /// to its 'B') does. Pages of one unsynced write can land out of order, so such a hole may be followed by
    /// intact records that were never synced; bit rot does not zero whole sectors. Call after
    /// `intactRecordExists`, which has read the rest of the file.
    func damageLooksTorn(at damage: Int64) -> Bool {
        let start = Int(damage - offset)
        guard start >= 0, start + 12 <= window.readableBytes else { return true }
        return window.withUnsafeReadableBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[start...])
            let length = Int(bytes.loadUnaligned(fromByteOffset: 8, as: Int32.self).bigEndian)
            // A zero length is an unwritten sector; a negative or huge one is changed bits.
            guard length != 0 else { return true }
            guard length > 0, length <= maximumRecordBytes else { return false }
            let extent = min(bytes.count, TxnLogFormat.recordOverheadBytes + length)
            func zeros(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == 0 } }
            let sector = Int64(Self.sectorBytes)
            // Relative offset of the first sector boundary after the record's start.
            var boundary = Int((damage + sector - 1) / sector * sector - damage)
            if boundary == 0 { boundary = Self.sectorBytes }
            var first = boundary
            while first + Self.sectorBytes <= extent {
                if zeros(first..<(first + Self.sectorBytes)) { return true }
                first += Self.sectorBytes
            }
            let end = TxnLogFormat.recordOverheadBytes + length
            guard end <= bytes.count, bytes[end - 1] == 0 else { return false }
            var zeroRun = end - 1
            while zeroRun > 0 && bytes[zeroRun - 1] == 0 { zeroRun -= 1 }
            var candidate = boundary
            while candidate < end {
                if candidate >= zeroRun { return true }
                candidate += Self.sectorBytes
            }
            return false
        }
    }

    static let sectorBytes = 512

    /// Looks at every position for `checksum, length, payload, 0x42` that verifies. An Adler32 value is never
    /// 0 (its low half starts at 1), so a candidate needs a non-zero byte among the checksum's low four; that
    /// lets the search jump over zero runs, which is most of a preallocated file.
    static func findIntactRecord(in bytes: UnsafeRawBufferPointer, maximumRecordBytes: Int) -> Bool {
        let count = bytes.count
        var position = 0
        while position + TxnLogFormat.recordOverheadBytes < count {
            if bytes[position + 4] == 0 && bytes[position + 5] == 0 && bytes[position + 6] == 0
                && bytes[position + 7] == 0
            {
                var next = position + 8
                while next < count && bytes[next] == 0 { next += 1 }
                position = max(position + 1, next - 7)
                continue
            }
            defer { position += 1 }
            guard bytes[position] == 0, bytes[position + 1] == 0, bytes[position + 2] == 0, bytes[position + 3] == 0
            else { continue }
            let length = Int(bytes.loadUnaligned(fromByteOffset: position + 8, as: Int32.self).bigEndian)
            guard length > 0, length <= maximumRecordBytes,
                position + TxnLogFormat.recordOverheadBytes + length <= count,
                bytes[position + 12 + length] == TxnLogFormat.endOfRecord
            else { continue }
            let stored = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).bigEndian
            var adler = Adler32()
            adler.update(UnsafeRawBufferPointer(rebasing: bytes[(position + 12)..<(position + 12 + length)]))
            if stored == UInt64(adler.value) { return true }
        }
        return false
    }

    func close() { source.close() }
}
