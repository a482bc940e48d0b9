import AviaryWire

/// Every znode of a tree, compactly: records in chunks, a (parent, name) index, and the child lists.
///
/// Paths are not stored. A lookup walks the path's components through the index (a few hashes for a typical
/// depth), and a full path is rebuilt only where one is written out (snapshots, the digest, tools). The root is
/// always node 0. Indexes of deleted nodes go on a free list, linked through `nextSibling`, and are reused.
///
/// Records and index slots are never given back: after a mass delete they wait for new nodes (data pages are
/// released). ZooKeeper's own tables do not shrink either.
struct NodeStore: Sendable {
    static let root: NodeID = 0

    private var records = ChunkedArray<NodeRecord>()
    private var index = ChildIndex()
    private var arena = DataArena()
    private var freeList: NodeID = .none
    /// Live nodes, the root included.
    private(set) var count = 0

    /// A store holding only a root, with empty data and an open ACL.
    init() {
        var root = NodeRecord(name: "", parent: .none, aclReference: ACLCache.openUnsafeReference, stat: Self.emptyStat)
        root.dataLength = 0
        records.append(root)
        count = 1
    }

    /// A node's record. Its name, links and data location are the store's to change (`add`, `removeLeaf`,
    /// `setData`); callers change stats and the ACL reference.
    subscript(node: NodeID) -> NodeRecord {
        get { records[Int(node)] }
        _modify { yield &records[Int(node)] }
    }

    /// The node at `path`. "" is the root too, as in ZooKeeper's table. Nil for a path that is not absolute.
    func node(at path: String) -> NodeID? { node(at: path[...]) }

    func node(at path: Substring) -> NodeID? {
        let utf8 = path.utf8
        guard let first = utf8.first else { return Self.root }
        guard first == UInt8(ascii: "/") else { return nil }
        var node = Self.root
        var start = utf8.index(after: utf8.startIndex)
        if start == utf8.endIndex { return node }
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            guard let child = child(named: Substring(path.utf8[start..<end]), of: node) else { return nil }
            node = child
            if end == utf8.endIndex { return node }
            start = utf8.index(after: end)
        }
    }

    /// The parent a create or delete of `path` addresses and the new node's name, cut as `PathRules.parent` and
    /// `childName` cut them. Nil when `PathRules.parent(of:)` is nil; `parent` is nil when no such node exists.
    func parentAndName(of path: String) -> (parent: NodeID?, name: Substring)? {
        let utf8 = path.utf8
        guard !utf8.contains(0), let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let name = Substring(utf8[utf8.index(after: slash)...])
        let parentPath = Substring(utf8[..<slash])
        return (parentPath.isEmpty ? Self.root : node(at: parentPath), name)
    }

    func child(named name: some StringProtocol, of parent: NodeID) -> NodeID? {
        let hash = ChildIndex.hash(parent: parent, name: name)
        return index.find(hash: hash) { candidate in
            let record = records[Int(candidate)]
            return record.parent == parent && StringBytes.equal(record.name, name)
        }
    }

    /// Adds `record` as the newest child of `record.parent`, with `data`; nil, and nothing changes, if that parent
    /// already has a child of this name.
    mutating func add(_ record: NodeRecord, data: [UInt8]?) -> NodeID? {
        guard let data else { return add(record, bytes: nil) }
        return data.withUnsafeBytes { add(record, bytes: $0) }
    }

    mutating func add(_ record: NodeRecord, bytes: UnsafeRawBufferPointer?) -> NodeID? {
        let parent = record.parent
        precondition(parent != .none)
        let hash = ChildIndex.hash(parent: parent, name: record.name)
        let existing = index.find(hash: hash) { candidate in
            let other = records[Int(candidate)]
            return other.parent == parent && StringBytes.equal(other.name, record.name)
        }
        if existing != nil { return nil }

        let node: NodeID
        if freeList != .none {
            node = freeList
            freeList = records[Int(node)].nextSibling
            records[Int(node)] = record
        } else {
            precondition(records.count < Int(Int32.max), "more znodes than 32-bit indexes can number")
            node = NodeID(records.count)
            records.append(record)
        }
        let oldFirst = records[Int(parent)].firstChild
        records[Int(node)].nextSibling = oldFirst
        if oldFirst != .none { records[Int(oldFirst)].previousSibling = node }
        records[Int(parent)].firstChild = node
        records[Int(parent)].childCount += 1
        index.insert(node, hash: hash)
        count += 1
        setData(bytes: bytes, of: node)
        return node
    }

    /// Removes a node that has no children.
    mutating func removeLeaf(_ node: NodeID) {
        precondition(node != Self.root)
        let record = records[Int(node)]
        precondition(record.childCount == 0 && record.parent != .none, "removing a node with children, or twice")
        setData(bytes: nil, of: node)
        index.remove(node, hash: ChildIndex.hash(parent: record.parent, name: record.name))
        if record.previousSibling != .none {
            records[Int(record.previousSibling)].nextSibling = record.nextSibling
        } else {
            records[Int(record.parent)].firstChild = record.nextSibling
        }
        if record.nextSibling != .none { records[Int(record.nextSibling)].previousSibling = record.previousSibling }
        records[Int(record.parent)].childCount -= 1
        // A freed slot keeps nothing alive: its name goes now, not when the slot is reused.
        var free = NodeRecord(name: "", parent: .none, aclReference: 0, stat: Self.emptyStat)
        free.nextSibling = freeList
        records[Int(node)] = free
        freeList = node
        count -= 1
    }

    // MARK: Data

    /// A copy of the node's data.
    func data(of node: NodeID) -> [UInt8]? {
        withData(of: node) { bytes in bytes.map { Array($0) } }
    }

    /// Runs `body` over the node's data in place; nil for null data.
    func withData<Result>(of node: NodeID, _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
        let record = records[Int(node)]
        switch record.dataLength {
        case -1: return try body(nil)
        case 0: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        default: return try arena.withBytes(at: record.dataLocation, body)
        }
    }

    /// The data's length; -1 for null data.
    func dataLength(of node: NodeID) -> Int { Int(records[Int(node)].dataLength) }

    mutating func setData(_ data: [UInt8]?, of node: NodeID) {
        guard let data else { return setData(bytes: nil, of: node) }
        data.withUnsafeBytes { setData(bytes: $0, of: node) }
    }

    mutating func setData(bytes: UnsafeRawBufferPointer?, of node: NodeID) {
        let old = records[Int(node)]
        // The record lets go of the old item before any cleaning, which would otherwise move it as live.
        records[Int(node)].dataLength = -1
        if old.dataLength > 0, let page = arena.free(at: old.dataLocation) { clean(page) }
        guard let bytes else { return }
        if !bytes.isEmpty { records[Int(node)].dataLocation = arena.store(bytes, owner: node) }
        records[Int(node)].dataLength = Int32(bytes.count)
        for page in arena.takeCleaningCandidates() where arena.needsCleaning(page) { clean(page) }
    }

    /// Moves the live items off a mostly dead page, pointing their owners at the new copies.
    private mutating func clean(_ page: Int) {
        for item in arena.items(onPage: page) where Int(item.owner) < records.count {
            let owner = records[Int(item.owner)]
            guard owner.dataLength > 0, owner.dataLocation == item.location else { continue }
            records[Int(item.owner)].dataLocation = arena.move(item)
        }
        arena.releaseCleaned(page)
    }

    /// Bytes of arena pages held, live or dead; for tests of the arena's bound.
    var dataPageBytes: Int { arena.pageBytesInUse }

    /// The children of `node`, newest first.
    func children(of node: NodeID) -> ChildSequence { ChildSequence(store: self, first: self[node].firstChild) }

    /// The children of `node` in name order, as getChildren lists them and snapshots write them.
    func childrenSortedByName(of node: NodeID) -> [(name: String, node: NodeID)] {
        var list: [(name: String, node: NodeID)] = []
        list.reserveCapacity(Int(self[node].childCount))
        for child in children(of: node) { list.append((self[child].name, child)) }
        list.sort { $0.name < $1.name }
        return list
    }

    struct ChildSequence: Sequence, IteratorProtocol {
        let store: NodeStore
        var upcoming: NodeID

        init(store: NodeStore, first: NodeID) {
            self.store = store
            upcoming = first
        }

        mutating func next() -> NodeID? {
            guard upcoming != .none else { return nil }
            defer { upcoming = store[upcoming].nextSibling }
            return upcoming
        }
    }

    static let emptyStat = StatPersisted(
        czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, pzxid: 0)
}
