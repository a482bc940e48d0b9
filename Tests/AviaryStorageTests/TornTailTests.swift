import AviaryDataTree
import AviaryStorage
import AviaryWire
import Foundation
import Testing

/// A crash may leave any prefix of the unsynced tail on disk, followed by nothing (the file ends) or by zeros
/// (preallocated space). Either way recovery must keep exactly the complete records before it.
struct TornTailTests {
    static let txns = Txns.creates(count: 4, firstZxid: 1)

    /// The segment bytes and where its last record starts.
    static func segment() throws -> (bytes: [UInt8], lastRecord: Int) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Txns.writeLog(txns, directory: directory.path)
        var lastRecord = 0
        _ = try TxnLogReader(directory: directory.path).read(after: 0) { lastRecord = Int($0.offset) }
        return (try Files.bytes(directory.file("log.1")), lastRecord)
    }

    @Test func cuttingTheLastRecordAtEveryOffsetKeepsExactlyTheCompleteRecords() throws {
        let (bytes, lastRecord) = try Self.segment()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("log.1")
        for cut in lastRecord..<bytes.count {
            for zeroFilled in [false, true] {
                // A shorter file, or the same length with zeros where the write did not land.
                let damaged =
                    Array(bytes[..<cut]) + (zeroFilled ? [UInt8](repeating: 0, count: bytes.count - cut + 100) : [])
                try Files.write(damaged, to: path)
                let (read, summary) = try Txns.readAll(directory.path)
                #expect(read == Array(Self.txns.dropLast()), "cut at \(cut), zero-filled \(zeroFilled)")
                if bytes[lastRecord..<cut].allSatisfy({ $0 == 0 }) {
                    // Nothing, or only the checksum's zero high half, landed: that reads as padding.
                    #expect(summary.tornTail == nil, "cut at \(cut)")
                } else {
                    #expect(summary.tornTail?.offset == Int64(lastRecord), "cut at \(cut), zero-filled \(zeroFilled)")
                    #expect(summary.tornTail?.segmentHasNoRecords == false)
                }
                #expect(summary.validDataEnd == Int64(lastRecord))

                // Cutting the tail leaves a segment that reads cleanly, and a new writer continues the log.
                if let torn = summary.tornTail {
                    try TxnLogFiles.truncate(segment: torn.segment.path, atOffset: torn.offset)
                    #expect(try Files.size(path) == lastRecord)
                }
                let writer = try TxnLogWriter(
                    directory: directory.path, preallocationBytes: 0, forceSync: false, lastLoggedZxid: 3)
                try writer.append(Txns.make(4, Txns.create("/again")))
                try writer.close()
                let (after, afterSummary) = try Txns.readAll(directory.path)
                #expect(after.map(\.zxid) == [1, 2, 3, 4])
                #expect(afterSummary.tornTail == nil)
                try Files.remove(directory.file("log.4"))
            }
        }
    }

    @Test func recoveryCutsTheTornTailAndReplaysTheCompleteRecords() throws {
        let (bytes, lastRecord) = try Self.segment()
        for cut in [lastRecord + 5, lastRecord + 12, bytes.count - 1] {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let dataDirectory = try DataDirectory(dataDir: directory.path)
            _ = try SnapshotFile.write(
                tree: DataTree(), sessions: [], zxid: 0, directory: dataDirectory.snapshotDirectory, compression: .none)
            try Files.write(Array(bytes[..<cut]), to: dataDirectory.logDirectory + "/log.1")
            let state = try dataDirectory.recover()
            #expect(state.lastZxid == 3)
            #expect(state.tree.node(at: "/n2") != nil && state.tree.node(at: "/n3") == nil)
            #expect(state.tornTail?.offset == Int64(lastRecord))
            #expect(state.tornTailRepaired)
            #expect(try Files.size(dataDirectory.logDirectory + "/log.1") == lastRecord)
            // A second recovery finds nothing to repair.
            let again = try dataDirectory.recover()
            #expect(again.tornTail == nil && again.lastZxid == 3)
        }
    }

    @Test func aNewestSegmentWithoutACompleteRecordIsRemoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.file("data"), dataLogDir: directory.file("logs"))
        _ = try SnapshotFile.write(
            tree: DataTree(), sessions: [], zxid: 0, directory: dataDirectory.snapshotDirectory, compression: .gzip)
        try Txns.writeLog(Array(Self.txns[0..<2]), directory: dataDirectory.logDirectory)
        try Txns.writeLog(Array(Self.txns[2...]), directory: dataDirectory.logDirectory)
        let newest = dataDirectory.logDirectory + "/log.3"
        for length in [0, 7, 16, 16 + 20] {
            let full = try Files.bytes(newest)
            try Files.write(Array(full[..<min(length, full.count)]), to: newest)
            let state = try dataDirectory.recover()
            #expect(state.lastZxid == 2, "newest segment cut to \(length) bytes")
            #expect(length == 16 ? state.tornTail == nil : state.tornTail?.segmentHasNoRecords == true)
            #expect(try Files.names(dataDirectory.logDirectory) == ["log.1"])
            // The writer can create the same name again.
            try Txns.writeLog(Array(Self.txns[2...]), directory: dataDirectory.logDirectory)
        }
    }

    /// The pages of one unsynced write may reach the disk out of order: a lost (zero) page in the middle of the
    /// last batch, with intact records after it, is still a torn tail, not corruption.
    @Test(arguments: [4096, 8192, 12288])
    func aLostPageInsideTheLastBatchIsATornTail(lostPage: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let txns = (1...60).map { Txns.make(Int64($0), Txns.create("/p\($0)", [UInt8](repeating: UInt8($0), count: 300))) }
        let writer = try TxnLogWriter(directory: directory.path, preallocationBytes: 64 * 1024, forceSync: false)
        for txn in txns { try writer.append(txn) }
        try writer.close()
        var offsets: [Int64] = []
        _ = try TxnLogReader(directory: directory.path).read(after: 0) { offsets.append($0.offset) }
        var bytes = try Files.bytes(directory.file("log.1"))
        bytes.replaceSubrange(lostPage..<(lostPage + 4096), with: [UInt8](repeating: 0, count: 4096))
        try Files.write(bytes, to: directory.file("log.1"))
        let (read, summary) = try Txns.readAll(directory.path)
        let firstHit = offsets.lastIndex { $0 < Int64(lostPage) }!
        #expect(read == Array(txns.prefix(firstHit)))
        #expect(summary.tornTail?.offset == offsets[firstHit])
    }

    @Test func zeroPreallocatedSpaceIsTheEndOfDataNotATornWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Txns.writeLog(Self.txns, directory: directory.path, preallocationBytes: 64 * 1024)
        #expect(try Files.size(directory.file("log.1")) == 64 * 1024)
        let (read, summary) = try Txns.readAll(directory.path)
        #expect(read == Self.txns)
        #expect(summary.tornTail == nil && summary.notes.isEmpty)
    }
}
