import AviaryDataTree
import AviaryStorage
import AviaryWire
import Foundation
import Testing

/// A fresh directory under the system temp dir, removed by `remove()` (call it in a `defer`).
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "storage") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/aviary-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

enum Txns {
    static let time: Int64 = 1_700_000_000_000

    static func make(_ zxid: Int64, _ body: TxnBody, session: Int64 = 0x1234, cxid: Int32 = 1, digest: TxnDigest? = nil)
        -> Txn
    {
        Txn(
            header: TxnHeader(clientId: session, cxid: cxid, zxid: zxid, time: time + zxid, type: body.opCode.rawValue),
            body: body, digest: digest)
    }

    static func create(
        _ path: String, _ data: [UInt8]? = [1, 2, 3], acl: [ACL] = ACL.openUnsafe, ephemeral: Bool = false
    ) -> TxnBody {
        .create(path: path, data: data, acl: acl, ephemeral: ephemeral, parentCVersion: -1, opCode: .create)
    }

    /// `count` creates of `/n<i>` starting at `firstZxid`, each with a little data.
    static func creates(count: Int, firstZxid: Int64 = 1) -> [Txn] {
        (0..<count).map { index in
            make(firstZxid + Int64(index), create("/n\(index)", Array("node \(index)".utf8)))
        }
    }

    /// Appends and syncs `txns` with a fresh writer, then closes it.
    static func writeLog(_ txns: [Txn], directory: String, preallocationBytes: Int = 0, rollEvery: Int? = nil) throws {
        let writer = try TxnLogWriter(directory: directory, preallocationBytes: preallocationBytes, forceSync: true)
        for (index, txn) in txns.enumerated() {
            try writer.append(txn)
            if let rollEvery, (index + 1) % rollEvery == 0 {
                try writer.roll()
            }
        }
        try writer.close()
    }

    static func readAll(_ directory: String, after zxid: Int64 = 0) throws -> (
        txns: [Txn], summary: TxnLogReader.Summary
    ) {
        var txns: [Txn] = []
        let summary = try TxnLogReader(directory: directory).read(after: zxid) { txns.append($0.txn) }
        return (txns, summary)
    }
}

enum Files {
    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    }
    static func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }
    static func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: path) }
    static func copyDirectory(_ source: String, to destination: String) throws {
        try? FileManager.default.removeItem(atPath: destination)
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }
}

/// Compares two trees as ZooKeeper would see them: nodes, data (null distinct from empty), stats, children,
/// ACL lists (not reference numbers), the ephemeral/container/TTL indexes, the last zxid.
func expectSameTree(_ actual: DataTree, _ expected: DataTree, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.allPaths().sorted() == expected.allPaths().sorted(), sourceLocation: sourceLocation)
    for path in expected.allPaths() {
        guard let node = expected.node(at: path), let other = actual.node(at: path) else { continue }
        #expect(other.data == node.data, "data of \(path)", sourceLocation: sourceLocation)
        #expect(other.stat == node.stat, "stat of \(path)", sourceLocation: sourceLocation)
        #expect(
            actual.children(of: path) == expected.children(of: path), "children of \(path)",
            sourceLocation: sourceLocation)
        #expect(actual.acl(of: other) == expected.acl(of: node), "ACL of \(path)", sourceLocation: sourceLocation)
    }
    #expect(
        actual.ephemeralsBySession.mapValues { Set($0.elementsInJavaOrder) }
            == expected.ephemeralsBySession.mapValues { Set($0.elementsInJavaOrder) }, sourceLocation: sourceLocation)
    #expect(actual.containers == expected.containers, sourceLocation: sourceLocation)
    #expect(actual.ttlNodes == expected.ttlNodes, sourceLocation: sourceLocation)
    #expect(actual.lastProcessedZxid == expected.lastProcessedZxid, sourceLocation: sourceLocation)
    #expect(actual.approximateDataSize == expected.approximateDataSize, sourceLocation: sourceLocation)
    #expect(actual.treeDigest() == expected.treeDigest(), sourceLocation: sourceLocation)
}

extension DataTree {
    /// Applies txns in order (ignoring watch notifications).
    mutating func applyAll(_ txns: [Txn]) {
        var notifications: [WatchNotification] = []
        for txn in txns { _ = apply(txn, notifications: &notifications) }
    }
}
