import AviaryWire

/// A node's index in the `NodeStore`. Indexes of deleted nodes are reused.
typealias NodeID = Int32

extension NodeID {
    static let none: NodeID = -1
}

/// One znode as the store keeps it: 112 bytes, no padding, nothing on the heap for a node whose name fits in 15
/// UTF-8 bytes (Swift keeps such strings inline); its data is in the store's `DataArena`.
///
/// The node's path is not stored: it is the parent's path plus `name`. Children are a doubly linked list through
/// the child records, so a leaf spends 16 bytes on it and no allocation. StatPersisted's fields are stored one by
/// one, 64-bit ones first, because the struct itself carries 4 bytes of padding after `aversion`.
struct NodeRecord: Sendable {
    /// The last path component; "" for the root.
    var name: String
    var czxid: Int64
    var mzxid: Int64
    var ctime: Int64
    var mtime: Int64
    var ephemeralOwner: Int64
    var pzxid: Int64
    var version: Int32
    /// Child creations only, as `ZNode.stat.cversion`.
    var cversion: Int32
    var aversion: Int32
    /// `ACLCache` reuses released reference numbers, so they stay below the number of distinct lists in use and
    /// fit in 32 bits.
    private var aclReference32: Int32
    var parent: NodeID
    var firstChild: NodeID
    var nextSibling: NodeID
    var previousSibling: NodeID
    var childCount: Int32
    /// -1 for null data, which ZooKeeper keeps distinct from empty data. The arena's item header has the length
    /// too, but every Stat needs it, and reading it there would be one more cache miss per `exists`.
    var dataLength: Int32
    /// The data's item in the arena when `dataLength > 0`; `NodeStore` keeps both.
    var dataLocation: DataArena.Location

    /// A record with null data; `NodeStore` stores the data once the node has an index.
    init(name: String, parent: NodeID, aclReference: Int64, stat: StatPersisted) {
        self.name = name
        czxid = stat.czxid
        mzxid = stat.mzxid
        ctime = stat.ctime
        mtime = stat.mtime
        ephemeralOwner = stat.ephemeralOwner
        pzxid = stat.pzxid
        version = stat.version
        cversion = stat.cversion
        aversion = stat.aversion
        aclReference32 = 0
        self.parent = parent
        firstChild = .none
        nextSibling = .none
        previousSibling = .none
        childCount = 0
        dataLength = -1
        dataLocation = 0
        self.aclReference = aclReference
    }

    var aclReference: Int64 {
        get { Int64(aclReference32) }
        set {
            precondition(Int32(exactly: newValue) != nil, "ACL reference \(newValue) outside 32 bits")
            aclReference32 = Int32(truncatingIfNeeded: newValue)
        }
    }

    var stat: StatPersisted {
        get {
            StatPersisted(
                czxid: czxid, mzxid: mzxid, ctime: ctime, mtime: mtime, version: version, cversion: cversion,
                aversion: aversion, ephemeralOwner: ephemeralOwner, pzxid: pzxid)
        }
        set {
            czxid = newValue.czxid
            mzxid = newValue.mzxid
            ctime = newValue.ctime
            mtime = newValue.mtime
            ephemeralOwner = newValue.ephemeralOwner
            pzxid = newValue.pzxid
            version = newValue.version
            cversion = newValue.cversion
            aversion = newValue.aversion
        }
    }
}
