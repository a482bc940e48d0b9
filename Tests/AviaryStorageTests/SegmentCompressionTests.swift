import AviaryStorage
import AviaryWire
import Testing

struct SegmentCompressionTests {
    @Test func aCompressedSegmentReadsTheSameAsTheRawOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let txns = TxnLogRoundTripTests.everyKind + Txns.creates(count: 200, firstZxid: 15)
        try Txns.writeLog(txns, directory: directory.path, preallocationBytes: 64 * 1024, rollEvery: 100)
        let rawSegments = try TxnLogReader.segments(in: directory.path)
        let rawBytes = try rawSegments.map { try Files.bytes($0.path) }
        var validEnds: [Int64] = []
        for segment in rawSegments {
            validEnds.append(try TxnLogReader(directory: directory.path).read(segment: segment) { _ in }.validDataEnd)
        }

        // Seal and compress every segment but the newest, as the server does after a roll.
        for segment in rawSegments.dropLast() {
            let compressed = try TxnLogFiles.compressSealedSegment(path: segment.path)
            #expect(compressed == segment.path + ".gz")
            #expect(try Files.size(compressed) < Int(validEnds[0]), "the zero tail is gone and the rest compresses")
        }
        #expect(try Files.names(directory.path) == ["log.1.gz", "log.65.gz", "log.c9"])
        let (read, summary) = try Txns.readAll(directory.path)
        #expect(read == txns)
        #expect(summary.tornTail == nil && summary.notes.isEmpty)
        #expect(try Txns.readAll(directory.path, after: 120).txns == Array(txns.drop { $0.zxid <= 120 }))

        // Decompressing gives ZooKeeper's raw format back: the original bytes up to the end of the last record.
        let restored = directory.file("restored")
        try TxnLogFiles.decompress(segment: directory.file("log.65.gz"), to: restored)
        #expect(try Files.bytes(restored) == Array(rawBytes[1].prefix(Int(validEnds[1]))))
        try Files.remove(restored)
        #expect(try TxnLogFiles.decompressAll(in: directory.path).count == 2)
        #expect(try Files.names(directory.path) == ["log.1", "log.65", "log.c9"])
        #expect(try Txns.readAll(directory.path).txns == txns)
    }

    @Test func aRawSegmentWinsOverAHalfFinishedCompression() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let txns = Txns.creates(count: 10)
        try Txns.writeLog(txns, directory: directory.path, rollEvery: 5)
        // A crash after the .gz was renamed in but before the raw file was removed leaves both.
        let raw = try Files.bytes(directory.file("log.1"))
        _ = try TxnLogFiles.compressSealedSegment(path: directory.file("log.1"))
        try Files.write(raw, to: directory.file("log.1"))
        let segments = try TxnLogReader.segments(in: directory.path)
        #expect(segments.map(\.name) == ["log.1", "log.6"])
        #expect(try Txns.readAll(directory.path).txns == txns)
    }

    @Test func aCorruptSegmentIsNotCompressed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Txns.writeLog(Txns.creates(count: 5), directory: directory.path)
        var bytes = try Files.bytes(directory.file("log.1"))
        bytes[40] ^= 0xFF
        try Files.write(bytes, to: directory.file("log.1"))
        #expect(throws: StorageError.self) { try TxnLogFiles.compressSealedSegment(path: directory.file("log.1")) }
        #expect(try Files.names(directory.path) == ["log.1"])
    }

    @Test func aDamagedCompressedSegmentIsReportedWithItsFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Txns.writeLog(Txns.creates(count: 100), directory: directory.path, rollEvery: 50)
        let compressed = try TxnLogFiles.compressSealedSegment(path: directory.file("log.1"))
        var bytes = try Files.bytes(compressed)
        bytes[bytes.count / 2] ^= 0x55
        try Files.write(bytes, to: compressed)
        do {
            _ = try TxnLogReader(directory: directory.path).verify()
            Issue.record("a damaged .gz segment verified")
        } catch StorageError.corruptRecord(let file, _, _) {
            #expect(file == compressed)
        }
    }
}
