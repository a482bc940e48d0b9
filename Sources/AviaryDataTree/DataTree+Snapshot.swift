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
// ZooKeeper writes children in HashSet order; Aviary in its store's order (`PreOrderWalk`), so the same tree value
// always gives the same bytes. References are renumbered on load (lists are interned again); only the ACL lists
// matter, not their numbers.

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
            let stat = record.stat
            let isRoot = node == NodeStore.root
            walk.path.withUnsafeBytes { walkedPath in
                // The root is "" both in a snapshot and in the digest.
                let path = isRoot ? UnsafeRawBufferPointer(start: nil, count: 0) : walkedPath
                store.withData(of: node) { data in
                    Self.writeNode(path: path, data: data, aclReference: record.aclReference, stat: stat, into: &buffer)
                    // The node's record and data were just read, so this costs no further trip to memory.
                    digest &+= Self.digestShare(isRoot: isRoot, path: path, data: data, stat: stat)
                }
            }
            if buffer.readableBytes >= flushAtBytes { try flush(&buffer) }
        }
        buffer.writeJuteString("/")
        return digest
    }

    /// One node of the `nodes` grammar: path, data, ACL reference and StatPersisted, laid out in one reservation.
    private static func writeNode(
        path: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer?, aclReference: Int64, stat: StatPersisted,
        into buffer: inout ByteBuffer
    ) {
        // A path with characters outside the Basic Multilingual Plane needs the CESU-8 rewriting that
        // `writeJuteString` does; every other path goes out as its UTF-8 bytes.
        let rewrite = path.contains(where: { $0 >= 0xF0 })
        if rewrite { buffer.writeJuteString(String(decoding: path, as: UTF8.self)) }
        let size = (rewrite ? 0 : 4 + path.count) + 4 + (data?.count ?? 0) + 8 + Self.statBytes
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
            var out = BigEndianStore(memory)
            if !rewrite {
                out.write(Int32(path.count))
                out.write(path)
            }
            if let data {
                out.write(Int32(data.count))
                out.write(data)
            } else {
                out.write(Int32(-1))
            }
            out.write(aclReference)
            out.write(stat.czxid)
            out.write(stat.mzxid)
            out.write(stat.ctime)
            out.write(stat.mtime)
            out.write(stat.version)
            out.write(stat.cversion)
            out.write(stat.aversion)
            out.write(stat.ephemeralOwner)
            out.write(stat.pzxid)
            return out.offset
        }
    }

    /// StatPersisted's six longs and three ints; the digest covers the same fields, in another order.
    private static let statBytes = 6 * 8 + 3 * 4

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
            containers.insert(PathKey(path))
        } else if EphemeralOwner.isTTL(owner) {
            ttlNodes.insert(PathKey(path))
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
        // Byte comparisons, as the store names nodes (`StringBytes`): canonically equivalent paths are two nodes.
        if StringBytes.equal(path, parentPath) { return parent }
        if StringBytes.equal(path, lastPath) {
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
            let isRoot = node == NodeStore.root
            walk.path.withUnsafeBytes { walkedPath in
                let path = isRoot ? UnsafeRawBufferPointer(start: nil, count: 0) : walkedPath
                store.withData(of: node) { data in
                    digest &+= Self.digestShare(isRoot: isRoot, path: path, data: data, stat: store[node].stat)
                }
            }
        }
        return digest
    }

    /// A node's part of the tree digest: the root counts with the path "", nodes under `/zookeeper/` not at all.
    private static func digestShare(
        isRoot: Bool, path: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer?, stat: StatPersisted
    ) -> Int64 {
        guard isRoot || !isSystemPath(path) else { return 0 }
        return Int64(nodeDigest(path: path, data: data, stat: stat))
    }

    /// Nodes under `/zookeeper/` stay out of the digest.
    static func isSystemPath(_ path: some Collection<UInt8>) -> Bool {
        path.count > systemPrefix.count && path.starts(with: systemPrefix)
    }

    private static let systemPrefix = Array("/zookeeper/".utf8)

    /// One node's CRC32, the root's path being "". The stat fields go in as one block of big-endian bytes.
    private static func nodeDigest(path: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer?, stat: StatPersisted)
        -> UInt32
    {
        var crc = CRC32()
        crc.update(path)
        if let data { crc.update(data) }
        withUnsafeTemporaryAllocation(byteCount: statBytes, alignment: 8) { memory in
            var fields = BigEndianStore(memory)
            fields.write(stat.czxid)
            fields.write(stat.mzxid)
            fields.write(stat.pzxid)
            fields.write(stat.ctime)
            fields.write(stat.mtime)
            fields.write(stat.version)
            fields.write(stat.cversion)
            fields.write(stat.aversion)
            fields.write(stat.ephemeralOwner)
            crc.update(UnsafeRawBufferPointer(memory))
        }
        return crc.value
    }
}
