import AviaryWire
import NIOCore

// Grammar of the tree inside a snapshot (ZooKeeper's `DataTree.serialize`, `ReferenceCountedACLCache.serialize`,
// `DataNode.serialize`); the file around it is AviaryStorage's `SnapshotFile`:
//
//     tree     = aclTable nodes
//     aclTable = int count, count × (long reference, vector<ACL> acl)
//     nodes    = *(ustring path, node) ustring "/"
//     node     = buffer data, long aclReference, StatPersisted stat
//
// Nodes come in pre-order, parents before children. The root's path is "" and every other path is its parent's
// path + "/" + name, so "/" can only be the terminator. Reference -1 (OPEN_ACL_UNSAFE) is implicit and never in
// the table. A null `data` (length -1) stays distinct from empty data.
//
// ZooKeeper writes children in HashSet order; Aviary sorts them, so equal trees give equal bytes. References are
// renumbered on load (lists are interned again); only the ACL lists matter, not their numbers.

/// A snapshot's tree section that cannot be rebuilt into a tree (a missing parent, an unknown ACL reference…).
public struct SnapshotTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

extension DataTree {
    /// Writes the tree section of a snapshot. `flush` is called whenever `buffer` holds `flushAtBytes` or more,
    /// so a large tree streams out in chunks; it must consume the buffer's readable bytes.
    public func serializeSnapshotTree(
        into buffer: inout ByteBuffer, flushAtBytes: Int, flush: (inout ByteBuffer) throws -> Void
    ) rethrows {
        precondition(flushAtBytes > 0)
        let table = aclCache.listByReference.sorted { $0.key < $1.key }
        buffer.writeJuteInt(Int32(table.count))
        for (reference, list) in table {
            buffer.writeJuteLong(reference)
            buffer.writeJuteACLs(list)
        }
        // An explicit stack, not recursion: a path may be ~1 MB deep in components.
        var stack = ["/"]
        while let path = stack.popLast() {
            guard let node = nodes[path] else { continue }
            buffer.writeJuteString(path == "/" ? "" : path)
            buffer.writeJuteBuffer(node.data)
            buffer.writeJuteLong(node.aclReference)
            node.stat.encode(to: &buffer)
            // Pushed in descending order so that they pop, and are written, in ascending order.
            for child in node.children.sorted(by: >) {
                stack.append(PathRules.join(path, child))
            }
            if buffer.readableBytes >= flushAtBytes { try flush(&buffer) }
        }
        buffer.writeJuteString("/")
    }

    /// Rebuilds a tree from the tree section of a snapshot, with the ephemeral, container and TTL indexes that
    /// ZooKeeper derives from each node's ephemeralOwner. Watches start empty.
    public init(snapshotTree reader: inout JuteReader, lastProcessedZxid: Int64) throws {
        self.init()
        nodes = [:]
        aclCache = ACLCache()
        ephemeralsBySession = [:]
        containers = []
        ttlNodes = []
        approximateDataSize = 0
        self.lastProcessedZxid = lastProcessedZxid

        let table = try Self.readACLTable(&reader)
        var path = try reader.readString("path")
        while path != "/" {
            let data = try reader.readBuffer("data")
            let reference = try reader.readLong("acl")
            let stat = try StatPersisted(from: &reader)
            let acl: [ACL]
            if reference == ACLCache.openUnsafeReference {
                acl = ACL.openUnsafe
            } else if let list = table[reference] {
                acl = list
            } else {
                throw SnapshotTreeError("node '\(path)' refers to ACL \(reference), which is not in the ACL table")
            }
            let key = try insertionKey(forSnapshotPath: path, ephemeralOwner: stat.ephemeralOwner)
            nodes[key] = ZNode(data: data, aclReference: aclCache.reference(for: acl), stat: stat)
            approximateDataSize += key.utf8.count + (data?.count ?? 0)
            path = try reader.readString("path")
        }
        guard nodes["/"] != nil else { throw SnapshotTreeError("the snapshot holds no root node") }
    }

    private static func readACLTable(_ reader: inout JuteReader) throws -> [Int64: [ACL]] {
        let count = try reader.readInt("acl table size")
        // Each entry takes at least 12 bytes: a bound on the count before anything is reserved.
        guard count >= 0, Int(count) <= reader.remainingBytes / 12 else {
            throw SnapshotTreeError("ACL table size \(count) does not fit in the snapshot")
        }
        var table: [Int64: [ACL]] = [:]
        for _ in 0..<count {
            let reference = try reader.readLong("acl reference")
            guard
                let list = try reader.readOptionalVector(
                    "acls", { (r: inout JuteReader) throws(JuteError) in try ACL(from: &r) })
            else { throw SnapshotTreeError("ACL \(reference) has a null list") }
            table[reference] = list
        }
        return table
    }

    /// Links a node read from a snapshot under its parent and indexes it; returns the key it is stored under.
    private mutating func insertionKey(forSnapshotPath path: String, ephemeralOwner: Int64) throws -> String {
        if path.isEmpty {
            guard nodes.isEmpty else { throw SnapshotTreeError("the root is not the first node") }
            return "/"
        }
        guard nodes[path] == nil else { throw SnapshotTreeError("node '\(path)' appears twice") }
        guard let parent = PathRules.parent(of: path), nodes[parent] != nil else {
            throw SnapshotTreeError("node '\(path)' comes before its parent")
        }
        nodes[parent]!.children.insert(PathRules.childName(of: path))
        if EphemeralOwner.isContainer(ephemeralOwner) {
            containers.insert(path)
        } else if EphemeralOwner.isTTL(ephemeralOwner) {
            ttlNodes.insert(path)
        } else if ephemeralOwner != 0 {
            // Inserted in snapshot order, as ZooKeeper fills its HashSet while loading.
            ephemeralsBySession[ephemeralOwner, default: JavaStringHashSet()].insert(path)
        }
        return path
    }
}

// MARK: - Recovery replay

extension DataTree {
    /// Applies a txn read back from the log while recovering over a fuzzy snapshot (ZooKeeper's
    /// `FileTxnSnapLog.processTransaction`). Errors such as creating a node that exists or deleting one that is
    /// gone are expected there and ignored, as ZooKeeper ignores them, with one repair ZooKeeper's
    /// `DataTree.processTxn` makes: a `create` (opcode 1, not create2) that fails with NODEEXISTS still raises
    /// the parent's cversion and pzxid to the txn's values, because the node may have been deleted and
    /// re-created after the parent was serialized.
    public mutating func applyRecovered(_ txn: Txn) -> ApplyResult {
        var notifications: [WatchNotification] = []
        let result = apply(txn, notifications: &notifications)
        repairParentAfterExistingCreate(body: txn.body, result: result, zxid: txn.zxid)
        return result
    }

    private mutating func repairParentAfterExistingCreate(body: TxnBody, result: ApplyResult, zxid: Int64) {
        switch body {
        case .create(let path, _, _, _, let parentCVersion, .create) where result.error == .nodeExists:
            guard let parent = PathRules.parent(of: path), let stat = nodes[parent]?.stat else { return }
            let newCVersion = parentCVersion == -1 ? stat.cversion + 1 : parentCVersion
            if newCVersion > stat.cversion {
                nodes[parent]!.stat.cversion = newCVersion
                nodes[parent]!.stat.pzxid = zxid
            }
        case .multi(let bodies):
            for (sub, subResult) in zip(bodies, result.multiResults) {
                repairParentAfterExistingCreate(body: sub, result: subResult, zxid: zxid)
            }
        default:
            break
        }
    }
}

// MARK: - Tree digest

extension DataTree {
    /// The digest version ZooKeeper 3.6+ writes with TxnDigest and snapshot digests.
    public static let digestVersion: Int32 = 2

    /// ZooKeeper's tree digest (`DigestCalculator`, `NodeHashMapImpl`): the wrapping sum over nodes of
    /// CRC32(path, data, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner), with the
    /// root's path as "" and nodes under "/zookeeper/" left out (quota nodes change locally on each server).
    /// Computed over the whole tree: O(nodes + bytes).
    public func treeDigest() -> Int64 {
        var digest: Int64 = 0
        for (path, node) in nodes where !Self.isSystemPath(path) {
            digest &+= Int64(Self.nodeDigest(path: path == "/" ? "" : path, node: node))
        }
        return digest
    }

    /// Nodes under `/zookeeper/` stay out of the digest. Compared on the UTF-8 bytes: this runs once per node.
    static func isSystemPath(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in bytes.count > systemPrefix.count && bytes.starts(with: systemPrefix) }
    }

    private static let systemPrefix = Array("/zookeeper/".utf8)

    static func nodeDigest(path: String, node: ZNode) -> UInt32 {
        var crc = CRC32()
        var path = path
        path.withUTF8 { crc.update($0) }
        node.data?.withUnsafeBufferPointer { crc.update($0) }
        let stat = node.stat
        crc.updateBigEndian(stat.czxid)
        crc.updateBigEndian(stat.mzxid)
        crc.updateBigEndian(stat.pzxid)
        crc.updateBigEndian(stat.ctime)
        crc.updateBigEndian(stat.mtime)
        crc.updateBigEndian(stat.version)
        crc.updateBigEndian(stat.cversion)
        crc.updateBigEndian(stat.aversion)
        crc.updateBigEndian(stat.ephemeralOwner)
        return crc.value
    }
}

/// CRC-32 (IEEE 802.3, reflected, as java.util.zip.CRC32). This module takes no zlib, so it carries its own table.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    private var state: UInt32 = 0xFFFF_FFFF

    mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let table = Self.table
        for byte in bytes {
            state = table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
        }
    }

    /// The integer's bytes, most significant first, without building an array.
    mutating func updateBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        let table = Self.table
        var shift = Value.bitWidth - 8
        while shift >= 0 {
            let byte = UInt32(truncatingIfNeeded: value >> shift) & 0xFF
            state = table[Int((state ^ byte) & 0xFF)] ^ (state >> 8)
            shift -= 8
        }
    }

    var value: UInt32 { state ^ 0xFFFF_FFFF }
}
