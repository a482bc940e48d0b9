import AviaryDataTree
import AviaryStorage
import AviaryWire
import Foundation
import Testing

/// Damage that cannot be a torn write must stop recovery with the file and the record's offset.
struct CorruptionTests {
    /// Writes 5 txns into `log.1` (and, with `olderSegment`, 5 more into `log.6`) and returns the record offsets
    /// of `log.1`.
    static func writeLog(in directory: String, olderSegment: Bool = false) throws -> [Int] {
        let txns = Txns.creates(count: olderSegment ? 10 : 5)
        try Txns.writeLog(txns, directory: directory, rollEvery: 5)
        var offsets: [Int] = []
        _ = try TxnLogReader(directory: directory).read(segment: TxnLogReader.segments(in: directory)[0]) {
            offsets.append(Int($0.offset))
        }
        return offsets
    }

    @Test(arguments: [false, true])
    func aFlippedBitInAMiddleRecordNamesTheFileAndOffset(olderSegment: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let offsets = try Self.writeLog(in: directory.path, olderSegment: olderSegment)
        let path = directory.file("log.1")
        let original = try Files.bytes(path)
        let record = offsets[2]
        for position in record..<offsets[3] {
            for mask: UInt8 in [0x01, 0x80] {
                var damaged = original
                damaged[position] ^= mask
                try Files.write(damaged, to: path)
                #expect(throws: StorageError.self, "byte \(position) ^ \(mask)") {
                    try TxnLogReader(directory: directory.path).verify()
                }
                do {
                    _ = try TxnLogReader(directory: directory.path).verify()
                } catch StorageError.corruptRecord(let file, let offset, _) {
                    #expect(file == path)
                    #expect(offset == Int64(record), "byte \(position) ^ \(mask)")
                }
            }
        }
    }

    @Test func recoveryRefusesMiddleCorruptionAndSaysWhatToDo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try DataDirectory(dataDir: directory.path)
        _ = try SnapshotFile.write(
            tree: DataTree(), sessions: [], zxid: 0, directory: dataDirectory.snapshotDirectory, compression: .gzip)
        let offsets = try Self.writeLog(in: dataDirectory.logDirectory)
        let path = dataDirectory.logDirectory + "/log.1"
        var bytes = try Files.bytes(path)
        bytes[offsets[1] + 20] ^= 0x10
        try Files.write(bytes, to: path)
        do {
            _ = try dataDirectory.recover()
            Issue.record("recovery accepted a corrupt middle record")
        } catch let error as StorageError {
            guard case .corruptRecord(let file, let offset, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == path && offset == Int64(offsets[1]))
            #expect(reason.contains("checksum") && reason.contains("version-2 directories aside"))
            #expect(error.description.contains("byte offset \(offsets[1])"))
        }
        #expect(try Files.bytes(path) == bytes, "recovery must not touch a corrupt log")
    }

    @Test func aBadChecksumAtTheEndOfAnOlderSegmentIsCorruption() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let offsets = try Self.writeLog(in: directory.path, olderSegment: true)
        let path = directory.file("log.1")
        var bytes = try Files.bytes(path)
        bytes[offsets[4] + 15] ^= 0x01
        try Files.write(bytes, to: path)
        #expect(throws: StorageError.self) { try TxnLogReader(directory: directory.path).verify() }
    }

    @Test func anUnfinishedRecordEndingAnOlderSegmentIsReadAsItsEndLikeZooKeeper() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let offsets = try Self.writeLog(in: directory.path, olderSegment: true)
        let path = directory.file("log.1")
        let bytes = try Files.bytes(path)
        // ZooKeeper restarted after a crash: the old segment keeps its torn end, a new segment follows.
        try Files.write(Array(bytes[..<(offsets[4] + 9)]), to: path)
        let (txns, summary) = try Txns.readAll(directory.path)
        #expect(txns.map(\.zxid) == [1, 2, 3, 4, 6, 7, 8, 9, 10])
        #expect(summary.tornTail == nil)
        #expect(summary.notes.count == 1 && summary.notes[0].contains("log.1"))
    }

    @Test func aBadSegmentHeaderIsCorruption() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try Self.writeLog(in: directory.path, olderSegment: true)
        var bytes = try Files.bytes(directory.file("log.1"))
        bytes[0] = 0x00
        try Files.write(bytes, to: directory.file("log.1"))
        #expect(
            throws: StorageError.corruptSegmentHeader(
                file: directory.file("log.1"), reason: "magic 0x4b4c47 is not ZKLG")
        ) {
            try TxnLogReader(directory: directory.path).verify()
        }
    }
}
