import AviaryWire

/// One znode as `DataTree.node(at:)` hands it out: a copy, not a reference into the tree. The tree stores nodes
/// more compactly (see `NodeRecord`); this is for callers that want a node's fields in one value.
///
/// `stat.cversion` counts child *creations* only, as ZooKeeper's DataNode does; clients are shown
/// `2 * creations - numChildren` (creations plus deletions). The sequential suffix uses the raw count.
public struct ZNode: Sendable, Hashable {
    public var data: [UInt8]?
    public var aclReference: Int64
    public var stat: StatPersisted
    public var childCount: Int

    public init(data: [UInt8]?, aclReference: Int64, stat: StatPersisted, childCount: Int = 0) {
        self.data = data
        self.aclReference = aclReference
        self.stat = stat
        self.childCount = childCount
    }

    /// The Stat a client sees.
    public var clientStat: Stat {
        Self.clientStat(stat, dataLength: data?.count ?? 0, childCount: childCount)
    }

    static func clientStat(_ stat: StatPersisted, dataLength: Int, childCount: Int) -> Stat {
        let numChildren = Int32(truncatingIfNeeded: childCount)
        let owner = stat.ephemeralOwner
        return Stat(
            czxid: stat.czxid, mzxid: stat.mzxid, ctime: stat.ctime, mtime: stat.mtime, version: stat.version,
            cversion: stat.cversion &* 2 &- numChildren, aversion: stat.aversion,
            // Containers and TTL nodes carry a marker in ephemeralOwner that clients are not shown.
            ephemeralOwner: EphemeralOwner.isContainer(owner) || EphemeralOwner.isTTL(owner) ? 0 : owner,
            dataLength: Int32(truncatingIfNeeded: dataLength), numChildren: numChildren, pzxid: stat.pzxid)
    }

    static func newStat(zxid: Int64, time: Int64, ephemeralOwner: Int64) -> StatPersisted {
        StatPersisted(
            czxid: zxid, mzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
            ephemeralOwner: ephemeralOwner, pzxid: zxid)
    }
}
