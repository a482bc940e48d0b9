import AviaryWire
import NIOCore

/// Reads txn log segments (grammar in `TxnLogFormat`), raw or `.gz`, in zxid order.
///
/// Damage policy (DESIGN.md §5): damage is forgiven only where it can be a torn write.
/// - In the **newest** segment, a bad record is a torn tail when no intact record follows it, or when it has a
///   torn write's shape (a zeroed sector: pages of the last unsynced write landed out of order). Reading stops
///   there and `Summary.tornTail` says where valid data ends, for the caller to cut (`TxnLogFiles.truncate`).
/// - In an **older** segment, an unfinished record at the end (the file ends inside it, or its 'B' was never
///   written) ends that segment, as ZooKeeper reads it; this happens when ZooKeeper restarted after a crash and
///   began a new segment. It is reported in `Summary.notes`.
/// - Anything else — a bad checksum, an impossible length or a wrong end byte in an older segment, or changed
///   bytes followed by an intact record — throws `StorageError.corruptRecord` with the file and record offset.
public struct TxnLogReader: Sendable {
    public struct Segment: Sendable, Hashable {
        public var path: String
        public var startZxid: Int64
        public var isCompressed: Bool

        public var name: String { FileSystem.fileName(of: path) }
    }

    /// A txn as read back, with its payload bytes (TxnHeader + body + optional TxnDigest) and where it was.
    public struct LoggedTxn: Sendable {
        public var txn: Txn
        public var payload: ByteBuffer
        public var segment: Segment
        /// The byte offset of the record in the segment (in the decompressed stream for `.gz`).
        public var offset: Int64
    }

    /// Where the valid data of the newest segment ends, when a torn write follows it.
    public struct TornTail: Sendable, Hashable {
        public var segment: Segment
        public var offset: Int64
        public var reason: String
        /// No record of the segment was intact (or not even its header): the whole file can go.
        public var segmentHasNoRecords: Bool
    }

    public struct Summary: Sendable {
        /// The zxid of the last txn read (any zxid, not only those handed to the caller); nil if none.
        public var lastZxid: Int64?
        /// Txns handed to the caller.
        public var txnCount = 0
        public var tornTail: TornTail?
        /// Where the valid data of the last segment read ends (its header, then whole records).
        public var validDataEnd: Int64 = 0
        public var notes: [String] = []
    }

    public let directory: String
    public let maximumRecordBytes: Int

    public init(directory: String, maximumRecordBytes: Int = TxnLogFormat.defaultMaximumRecordBytes) {
        self.directory = directory
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// The segments in `directory`, by start zxid. A raw and a `.gz` segment with the same start (a crash between
    /// compressing and removing the raw one) count once, as the raw one.
    public static func segments(in directory: String) throws -> [Segment] {
        var byZxid: [Int64: Segment] = [:]
        for name in try FileSystem.list(directory) {
            guard let (zxid, compressed) = TxnLogFormat.parseSegmentName(name) else { continue }
            let segment = Segment(path: FileSystem.join(directory, name), startZxid: zxid, isCompressed: compressed)
            if let existing = byZxid[zxid], !existing.isCompressed { continue }
            byZxid[zxid] = segment
        }
        return byZxid.values.sorted { $0.startZxid < $1.startZxid }
    }

    /// The segments holding txns above `zxid`: the last one starting at or below it, and all later ones.
    public static func segments(in directory: String, holdingTxnsAfter zxid: Int64) throws -> [Segment] {
        let all = try segments(in: directory)
        let firstNeeded = all.lastIndex { $0.startZxid <= zxid } ?? 0
        return Array(all[firstNeeded...])
    }

    /// Hands every txn with a zxid above `zxid` to `body`, in log order, and says how the log ends.
    public func read(after zxid: Int64, _ body: (LoggedTxn) throws -> Void) throws -> Summary {
        let all = try Self.segments(in: directory)
        let firstNeeded = all.lastIndex { $0.startZxid <= zxid } ?? 0
        var summary = Summary()
        var handed = 0
        for (index, segment) in all.enumerated() where index >= firstNeeded {
            let isNewest = index == all.count - 1
            try scan(segment, isNewest: isNewest, summary: &summary) { logged in
                if logged.txn.zxid > zxid {
                    try body(logged)
                    handed += 1
                }
            }
        }
        summary.txnCount = handed
        return summary
    }

    /// Reads every record of every segment, checking each checksum and decoding each txn.
    public func verify() throws -> Summary {
        try read(after: Int64.min) { _ in }
    }

    /// Reads one segment on its own, treating it as the newest (a torn tail is reported, not thrown).
    public func read(segment: Segment, _ body: (LoggedTxn) throws -> Void) throws -> Summary {
        var summary = Summary()
        var handed = 0
        try scan(segment, isNewest: true, summary: &summary) { logged in
            try body(logged)
            handed += 1
        }
        summary.txnCount = handed
        return summary
    }

    func openSource(_ segment: Segment) throws -> any ByteSource {
        segment.isCompressed ? try GzipFileSource(path: segment.path) : try RawFileSource(path: segment.path)
    }

    private func scan(
        _ segment: Segment, isNewest: Bool, summary: inout Summary, _ body: (LoggedTxn) throws -> Void
    ) throws {
        var scanner = SegmentScanner(source: try openSource(segment), maximumRecordBytes: maximumRecordBytes)
        defer { scanner.close() }
        do {
            if let missing = try scanner.readHeader(file: segment.path) {
                guard isNewest else {
                    throw StorageError.corruptSegmentHeader(file: segment.path, reason: damageText(missing))
                }
                summary.tornTail = TornTail(
                    segment: segment, offset: 0, reason: damageText(missing), segmentHasNoRecords: true)
                summary.validDataEnd = 0
                return
            }
            var records = 0
            while true {
                switch try scanner.next() {
                case .record(let record):
                    records += 1
                    let txn = try decode(record, in: segment)
                    if let last = summary.lastZxid, txn.zxid <= last {
                        summary.notes.append(
                            "\(segment.name): zxid 0x\(String(txn.zxid, radix: 16)) at offset \(record.offset) does not increase"
                        )
                    }
                    summary.lastZxid = txn.zxid
                    try body(LoggedTxn(txn: txn, payload: record.payload, segment: segment, offset: record.offset))
                case .end(.clean(let offset)):
                    summary.validDataEnd = offset
                    return
                case .end(let end):
                    summary.validDataEnd = end.offset
                    try judge(
                        end, in: segment, isNewest: isNewest, records: records, scanner: &scanner, summary: &summary)
                    return
                }
            }
        } catch let error as GzipError {
            throw StorageError.corruptRecord(file: segment.path, offset: scanner.offset, reason: error.reason)
        }
    }

    /// Decides whether a bad record ends the data harmlessly (torn) or is corruption.
    private func judge(
        _ end: SegmentEnd, in segment: Segment, isNewest: Bool, records: Int, scanner: inout SegmentScanner,
        summary: inout Summary
    ) throws {
        let offset = end.offset
        var reason = damageText(end)
        if try scanner.intactRecordExists(after: offset) {
            guard isNewest, scanner.damageLooksTorn(at: offset) else {
                throw StorageError.corruptRecord(file: segment.path, offset: offset, reason: reason + "; intact records follow it")
            }
            reason += "; a sector of it never reached the disk, so the intact records after it were never synced"
        }
        if isNewest {
            summary.tornTail = TornTail(segment: segment, offset: offset, reason: reason, segmentHasNoRecords: records == 0)
            return
        }
        guard case .partial(_, let reason) = end else {
            throw StorageError.corruptRecord(file: segment.path, offset: offset, reason: damageText(end))
        }
        summary.notes.append(
            "\(segment.name) ends with an unfinished record at offset \(offset) (\(reason));"
                + " read as the end of the segment, as ZooKeeper does"
        )
    }

    private func decode(_ record: RawRecord, in segment: Segment) throws -> Txn {
        do {
            return try Txn.decode(from: record.payload)
        } catch {
            throw StorageError.corruptRecord(
                file: segment.path, offset: record.offset,
                reason: "the checksum matches but the txn does not decode: \(error)")
        }
    }

    private func damageText(_ end: SegmentEnd) -> String {
        switch end {
        case .clean: "clean end"
        case .partial(_, let reason), .damaged(_, let reason), .missingHeader(let reason): reason
        }
    }
}
