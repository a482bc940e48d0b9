import AviaryDataTree
import AviaryStorage
import AviaryWire
import NIOCore
import Testing

struct TxnLogRoundTripTests {
    /// One txn of every body kind, with and without digests, null and empty data.
    static let everyKind: [Txn] = [
        Txns.make(1, .createSession(timeOutMillis: 30_000), session: 0x100),
        Txns.make(2, Txns.create("/a", nil)),
        Txns.make(3, Txns.create("/a/e", [], ephemeral: true), session: 0x100),
        Txns.make(4, .createContainer(path: "/c", data: [9], acl: ACL.readUnsafe, parentCVersion: 2)),
        Txns.make(
            5, .createTTL(path: "/t", data: Array("ttl".utf8), acl: ACL.openUnsafe, parentCVersion: 3, ttl: 60_000)),
        Txns.make(6, .setData(path: "/a", data: Array("hello".utf8), version: 1, opCode: .setData)),
        Txns.make(7, .setACL(path: "/a", acl: [ACL(.all, Id(scheme: "digest", id: "u:x"))], version: 1)),
        Txns.make(8, .check(path: "/a", version: 1)),
        Txns.make(9, .multi([Txns.create("/m"), .delete(path: "/m", opCode: .delete)])),
        Txns.make(10, .multi([Txns.create("/never"), .error(KeeperError.noNode.rawValue)])),
        Txns.make(11, .error(KeeperError.nodeExists.rawValue)),
        Txns.make(12, .delete(path: "/t", opCode: .delete), digest: TxnDigest(version: 2, treeDigest: -42)),
        Txns.make(13, .closeSession(pathsToDelete: ["/a/e"]), session: 0x100),
        Txns.make(14, .setData(path: "/zookeeper/config", data: [], version: -1, opCode: .reconfig)),
    ]

    @Test(arguments: [0, 4096])
    func everyTxnKindReadsBackEqual(preallocationBytes: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Txns.writeLog(Self.everyKind, directory: directory.path, preallocationBytes: preallocationBytes)
        let (txns, summary) = try Txns.readAll(directory.path)
        #expect(txns == Self.everyKind)
        #expect(summary.tornTail == nil)
        #expect(summary.lastZxid == 14)
        #expect(try Files.names(directory.path) == ["log.1"])
        let size = try Files.size(directory.file("log.1"))
        if preallocationBytes > 0 {
            #expect(size % preallocationBytes == 0, "the file grows in preallocation steps")
        } else {
            #expect(size == Int(summary.validDataEnd))
        }
    }

    @Test func recordBytesFollowZooKeepersFraming() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let txn = Txns.make(0x1_0000_0001, Txns.create("/x", [0xAB]))
        try Txns.writeLog([txn], directory: directory.path)
        let bytes = try Files.bytes(directory.file("log.100000001"))
        // FileHeader: "ZKLG", version 2, dbid 0.
        #expect(Array(bytes[0..<16]) == [0x5A, 0x4B, 0x4C, 0x47, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0])
        var encoded = ByteBuffer()
        txn.encode(to: &encoded)
        let payload = Array(encoded.readableBytesView)
        let length = Int(bytes[24]) << 24 | Int(bytes[25]) << 16 | Int(bytes[26]) << 8 | Int(bytes[27])
        #expect(length == payload.count)
        #expect(Array(bytes[28..<(28 + length)]) == payload)
        #expect(bytes[28 + length] == 0x42)
        #expect(bytes.count == 16 + 13 + length)
        // The checksum is Adler32 of the payload alone, in a long whose high half is zero.
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in payload {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 0, UInt8(b >> 8), UInt8(b & 0xFF), UInt8(a >> 8), UInt8(a & 0xFF)])
    }

    @Test func rollingStartsSegmentsNamedAfterTheirFirstZxid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let txns = Txns.creates(count: 30, firstZxid: 0x1_0000_0001)
        try Txns.writeLog(txns, directory: directory.path, preallocationBytes: 1024, rollEvery: 10)
        #expect(try Files.names(directory.path) == ["log.100000001", "log.10000000b", "log.100000015"])
        let segments = try TxnLogReader.segments(in: directory.path)
        #expect(segments.map(\.startZxid) == [0x1_0000_0001, 0x1_0000_000b, 0x1_0000_0015])
        #expect(try Txns.readAll(directory.path).txns == txns)

        // Reading after a zxid starts in the segment holding the next txn and skips earlier ones.
        let (later, _) = try Txns.readAll(directory.path, after: 0x1_0000_000d)
        #expect(later == Array(txns[13...]))
        let needed = try TxnLogReader.segments(in: directory.path, holdingTxnsAfter: 0x1_0000_000d)
        #expect(needed.map(\.startZxid) == [0x1_0000_000b, 0x1_0000_0015])
    }

    @Test func nothingReachesTheFileBeforeFlushAndSync() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try TxnLogWriter(directory: directory.path, preallocationBytes: 0, forceSync: true)
        try writer.append(Txns.make(1, Txns.create("/a")))
        try writer.append(Txns.make(2, Txns.create("/b")))
        #expect(try Files.size(directory.file("log.1")) == 0)
        #expect(writer.lastAppendedZxid == 2)
        try writer.flushAndSync()
        let afterFirst = try Files.size(directory.file("log.1"))
        #expect(afterFirst == Int(writer.activeSegmentBytes))
        try writer.flushAndSync()  // nothing pending: no change
        #expect(try Files.size(directory.file("log.1")) == afterFirst)
        try writer.close()
        #expect(try Txns.readAll(directory.path).txns.map(\.zxid) == [1, 2])
    }

    @Test func appendsMustIncreaseAndNeverOverwriteASegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try TxnLogWriter(directory: directory.path, preallocationBytes: 0, forceSync: false)
        try writer.append(Txns.make(5, Txns.create("/a")))
        #expect(throws: StorageError.zxidNotIncreasing(previous: 5, zxid: 5)) {
            try writer.append(Txns.make(5, Txns.create("/b")))
        }
        try writer.close()

        let second = try TxnLogWriter(directory: directory.path, preallocationBytes: 0, forceSync: false)
        #expect(throws: StorageError.segmentExists(path: directory.file("log.5"))) {
            try second.append(Txns.make(5, Txns.create("/a")))
        }
    }

    @Test func largeRecordsSpanTheReadersWindow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let big = [UInt8](repeating: 7, count: 3 << 20)
        let txns = [
            Txns.make(1, Txns.create("/big", big)), Txns.make(2, Txns.create("/small")),
            Txns.make(3, .setData(path: "/big", data: big + [1], version: 1, opCode: .setData)),
        ]
        try Txns.writeLog(txns, directory: directory.path, preallocationBytes: 1 << 20)
        #expect(try Txns.readAll(directory.path).txns == txns)
        let tooSmall = TxnLogReader(directory: directory.path, maximumRecordBytes: 1 << 20)
        #expect(throws: StorageError.self) { try tooSmall.verify() }
    }
}
