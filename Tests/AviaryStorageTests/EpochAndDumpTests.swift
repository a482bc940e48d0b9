import AviaryDataTree
import AviaryWire
import Foundation
import Testing

@testable import AviaryStorage

struct EpochFileTests {
    @Test func epochsAreDecimalTextWithoutANewline() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let epochs = EpochFiles(directory: directory.path)
        #expect(try epochs.readCurrentEpoch() == nil)
        try epochs.writeAcceptedEpoch(7)
        try epochs.writeCurrentEpoch(6)
        #expect(try Files.bytes(directory.file("acceptedEpoch")) == Array("7".utf8))
        #expect(try epochs.readAcceptedEpoch() == 7 && epochs.readCurrentEpoch() == 6)
        #expect(try Files.names(directory.path) == ["acceptedEpoch", "currentEpoch"], "no temporary file left")
        // ZooKeeper reads the first line, so a trailing newline written by hand is fine.
        try Files.write(Array("12\n".utf8), to: directory.file("currentEpoch"))
        #expect(try epochs.readCurrentEpoch() == 12)
        try Files.write(Array("twelve".utf8), to: directory.file("currentEpoch"))
        #expect(throws: StorageError.self) { try epochs.readCurrentEpoch() }
    }

    @Test func loadFollowsZooKeepersStartUpRules() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let epochs = EpochFiles(directory: directory.path)
        // Missing files are created from the last zxid's epoch.
        let created = try epochs.load(lastProcessedZxid: 0x3_0000_0010)
        #expect(created.currentEpoch == 3 && created.acceptedEpoch == 3 && created.notes.count == 2)

        // currentEpoch behind the data: repaired from currentEpoch.tmp, else an error.
        try epochs.writeAcceptedEpoch(5)
        #expect(throws: StorageError.self) { try epochs.load(lastProcessedZxid: 0x5_0000_0001) }
        try Files.write(Array("5".utf8), to: directory.file("currentEpoch.tmp"))
        let repaired = try epochs.load(lastProcessedZxid: 0x5_0000_0001)
        #expect(repaired.currentEpoch == 5)
        #expect(try epochs.readCurrentEpoch() == 5)

        try epochs.writeAcceptedEpoch(4)
        #expect(throws: StorageError.self) { try epochs.load(lastProcessedZxid: 0x5_0000_0001) }
    }
}

struct DumpTests {
    @Test func describeReadsLikeZkTxnLogToolkit() {
        let txn = Txn(
            header: TxnHeader(
                clientId: 0x1_0000_3006_3e00_00, cxid: 1, zxid: 0x1_0000_0002, time: 1_700_000_000_123, type: 1),
            body: .create(
                path: "/app", data: Array("root".utf8), acl: ACL.openUnsafe, ephemeral: false, parentCVersion: 1,
                opCode: .create))
        #expect(
            StorageDump.describe(txn)
                == "2023-11-14T22:13:20.123Z session 0x1000030063e0000 cxid 0x1 zxid 0x100000002 create /app,root,[31,world:anyone],false,1"
        )
        let multi = Txns.make(
            3, .multi([Txns.create("/m", [0xFF, 0x00]), .delete(path: "/x", opCode: .delete)]), cxid: -1)
        #expect(
            StorageDump.describe(multi).hasSuffix(
                "cxid 0xffffffffffffffff zxid 0x3 multi create:/m,0xff00,[31,world:anyone],false,-1;delete:/x"))
    }

    @Test func jsonIsStableAndEscaped() {
        let txn = Txns.make(
            9, .setData(path: "/q\"\n", data: [0, 1, 2, 250], version: 3, opCode: .setData), session: -1)
        #expect(
            StorageDump.json(txn)
                == #"{"zxid":"0x9","time":1700000000009,"session":"0xffffffffffffffff","cxid":1,"type":"setData","path":"/q\"\n","data":"AAEC+g==","version":3}"#
        )
        let close = Txns.make(10, .closeSession(pathsToDelete: ["/a", "/b"]))
        #expect(StorageDump.json(close).hasSuffix(#""type":"closeSession","paths":["/a","/b"]}"#))
    }

    @Test func snapshotNodesRenderAsJSONLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try SnapshotFile.write(
            tree: SnapshotTests.richTree(), sessions: [], zxid: 1, directory: directory.path, compression: .gzip)
        let lines = StorageDump.jsonLines(try SnapshotFile.read(path: path))
        #expect(lines.count == SnapshotTests.richTree().nodeCount)
        #expect(
            lines.contains {
                $0.hasPrefix(#"{"path":"/app/null","data":null,"acl":[{"perms":31,"scheme":"world","id":"anyone"}]"#)
            })
    }

    @Test func utcTimestamps() {
        #expect(StorageDump.utcTimestamp(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(StorageDump.utcTimestamp(millis: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(StorageDump.utcTimestamp(millis: -1) == "1969-12-31T23:59:59.999Z")
    }
}

struct DiskFullTests {
    /// /dev/full fails every write with ENOSPC, as a full disk does.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func noSpaceIsReportedAsDiskFull() throws {
        let file = try OpenFile.open("/dev/full", flags: O_WRONLY)
        defer { file.close() }
        #expect(throws: StorageError.diskFull(path: "/dev/full")) {
            try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try file.write($0, at: 0) }
        }
    }
}
