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
    /// so a large tree streams out in chunks; it must consume the buffer's readable bytes. Returns the tree's
    /// digest (`treeDigest()`), computed in the same walk: on a large tree the walk waits on memory for every
    /// node, so one walk instead of two saves most of what the digest costs.
    @discardableResult
    public func serializeSnapshotTree(
        into buffer: inout ByteBuffer, flushAtBytes: Int, flush: (inout ByteBuffer) throws -> Void
    ) rethrows -> Int64 {
        precondition(flushAtBytes > 0)
        let table = aclCache.listByReference.sorted { $0.key < $1.key }
        buffer.writeJuteInt(Int32(table.count))
        for (reference, list) in table {
            buffer.writeJuteLong(reference)
            buffer.writeJuteACLs(list)
        }
        var digest: Int64 = 0
        var walk = PreOrderWalk(store)
        while let node = walk.next() {
            let record = store[node]
            if node == NodeStore.root {
                buffer.writeJuteString("")
            } else {
                Self.writePath(walk.path, into: &buffer)
            }
            store.withData(of: node) { data in
                guard let data else { return buffer.writeJuteInt(-1) }
                buffer.writeJuteInt(Int32(data.count))
                buffer.writeBytes(data)
            }
            buffer.writeJuteLong(record.aclReference)
            record.stat.encode(to: &buffer)
            // The node's record and data were just read, so this costs no further trip to memory.
            digest &+= digestShare(of: node, path: walk.path)
            if buffer.readableBytes >= flushAtBytes { try flush(&buffer) }
        }
        buffer.writeJuteString("/")
        return digest
    }

    /// A path as a jute ustring, from its UTF-8 bytes without building a String, unless it needs the CESU-8
    /// rewriting `writeJuteString` does for characters outside the Basic Multilingual Plane.
    private static func writePath(_ path: [UInt8], into buffer: inout ByteBuffer) {
        if path.contains(where: { $0 >= 0xF0 }) {
            buffer.writeJuteString(String(decoding: path, as: UTF8.self))
        } else {
            buffer.writeJuteInt(Int32(path.count))
            buffer.writeBytes(path)
        }
    }

    /// Rebuilds a tree from the tree section of a snapshot, with the ephemeral, container and TTL indexes that
    /// ZooKeeper derives from each node's ephemeralOwner. Watches start empty.
    public init(snapshotTree reader: inout JuteReader, lastProcessedZxid: Int64) throws {
        self.lastProcessedZxid = lastProcessedZxid
        let table = try Self.readACLTable(&reader)
        var sawRoot = false
        var parents = RecentParents()
        var path = try reader.readString("path")
        while path != "/" {
            let data = try reader.readByteBuffer("data")
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
            if path.isEmpty {
                guard !sawRoot, store.count == 1 else { throw SnapshotTreeError("the root is not the first node") }
                sawRoot = true
                store[NodeStore.root].stat = stat
                store[NodeStore.root].aclReference = aclCache.reference(for: acl)
                Self.withBytes(of: data) { store.setData(bytes: $0, of: NodeStore.root) }
                approximateDataSize += "/".utf8.count + (data?.readableBytes ?? 0)
            } else {
                guard sawRoot else { throw SnapshotTreeError("node '\(path)' comes before its parent") }
                try insert(snapshotPath: path, data: data, acl: acl, stat: stat, parents: &parents)
            }
            path = try reader.readString("path")
        }
        guard sawRoot else { throw SnapshotTreeError("the snapshot holds no root node") }
    }

    /// A jute buffer's bytes in place; nil stays nil (null data).
    private static func withBytes<Result>(
        of buffer: ByteBuffer?, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let buffer else { return body(nil) }
        return buffer.withUnsafeReadableBytes { body($0) }
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

    /// Links a node read from a snapshot under its parent and indexes it.
    private mutating func insert(
        snapshotPath path: String, data: ByteBuffer?, acl: [ACL], stat: StatPersisted, parents: inout RecentParents
    ) throws {
        // Cut as `PathRules.parent(of:)` and `childName(of:)` cut, without building the parent's path.
        let utf8 = path.utf8
        guard !utf8.contains(0), let slash = utf8.lastIndex(of: UInt8(ascii: "/")),
            let parent = parents.node(at: Substring(utf8[..<slash]), in: store)
        else {
            throw SnapshotTreeError("node '\(path)' comes before its parent")
        }
        let name = String(Substring(utf8[utf8.index(after: slash)...]))
        // "//" would name the root a second time, and be written back as the terminator.
        let record = NodeRecord(name: name, parent: parent, aclReference: ACLCache.openUnsafeReference, stat: stat)
        guard !(parent == NodeStore.root && name.isEmpty),
            let node = Self.withBytes(of: data, { store.add(record, bytes: $0) })
        else {
            throw SnapshotTreeError("node '\(path)' appears twice")
        }
        parents.lastPath = path[...]
        parents.lastNode = node
        store[node].aclReference = aclCache.reference(for: acl)
        approximateDataSize += path.utf8.count + (data?.readableBytes ?? 0)
        let owner = stat.ephemeralOwner
        if EphemeralOwner.isContainer(owner) {
            containers.insert(path)
        } else if EphemeralOwner.isTTL(owner) {
            ttlNodes.insert(path)
        } else if owner != 0 {
            // Inserted in snapshot order, as ZooKeeper fills its HashSet while loading.
            ephemeralsBySession[owner, default: JavaStringHashSet()].insert(path)
        }
    }
}

/// The parents a snapshot's next node most likely has. Nodes come in pre-order, so a node's parent is nearly
/// always the node just read (a first child) or the parent found last (a later sibling); only the first node after
/// a subtree ends needs a full lookup.
private struct RecentParents {
    var lastPath: Substring = ""
    var lastNode = NodeStore.root
    private var parentPath: Substring = ""
    private var parent = NodeStore.root

    /// The node at `path`, "" being the root.
    mutating func node(at path: Substring, in store: NodeStore) -> NodeID? {
        if path == parentPath { return parent }
        if path == lastPath {
            (parentPath, parent) = (lastPath, lastNode)
            return parent
        }
        guard let found = store.node(at: path) else { return nil }
        (parentPath, parent) = (path, found)
        return found
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
            guard let (parentOrNil, _) = store.parentAndName(of: path), let parent = parentOrNil else { return }
            let cversion = store[parent].cversion
            let newCVersion = parentCVersion == -1 ? cversion + 1 : parentCVersion
            if newCVersion > cversion {
                store[parent].cversion = newCVersion
                store[parent].pzxid = zxid
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
        var walk = PreOrderWalk(store)
        while let node = walk.next() {
            digest &+= digestShare(of: node, path: walk.path)
        }
        return digest
    }

    /// A node's part of the tree digest, given the path the walk reached it by: the root counts with an empty
    /// path, nodes under `/zookeeper/` not at all.
    private func digestShare(of node: NodeID, path: [UInt8]) -> Int64 {
        if node == NodeStore.root { return Int64(nodeDigest(path: [], node: node)) }
        return Self.isSystemPath(path) ? 0 : Int64(nodeDigest(path: path, node: node))
    }

    /// Nodes under `/zookeeper/` stay out of the digest.
    static func isSystemPath(_ path: [UInt8]) -> Bool {
        path.count > systemPrefix.count && path.starts(with: systemPrefix)
    }

    private static let systemPrefix = Array("/zookeeper/".utf8)

    private func nodeDigest(path: [UInt8], node: NodeID) -> UInt32 {
        var crc = CRC32()
        path.withUnsafeBytes { crc.update($0) }
        store.withData(of: node) { data in
            if let data { crc.update(data) }
        }
        let stat = store[node].stat
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
