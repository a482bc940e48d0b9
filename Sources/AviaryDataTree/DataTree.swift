import AviaryWire

/// A watch event addressed to one connection.
public struct WatchNotification: Sendable, Hashable {
    public var watcher: WatcherID
    public var event: WatcherEvent
    /// The zxid of the transaction that fired it.
    public var zxid: Int64
    /// The ACL of the node the event is about: a connection without READ on it is not told (ZooKeeper 3.8 as
    /// patched for CVE-2024-23944 checks this for every watch event).
    public var acl: [ACL]

    public init(watcher: WatcherID, event: WatcherEvent, zxid: Int64, acl: [ACL] = ACL.openUnsafe) {
        self.watcher = watcher
        self.event = event
        self.zxid = zxid
        self.acl = acl
    }
}

/// The znode tree: nodes by path, the ACL table, the ephemeral, container and TTL indexes, and the watch
/// tables of this server's connections.
///
/// It changes only through `apply` (a committed transaction) and watch registration; `prepare` turns requests
/// into transactions without changing it. It has no clock: time arrives in each TxnHeader.
public struct DataTree: Sendable {
    public static let zookeeperPath = "/zookeeper"
    public static let quotaPath = "/zookeeper/quota"
    public static let configPath = "/zookeeper/config"

    public internal(set) var nodes: [String: ZNode] = [:]
    public internal(set) var aclCache = ACLCache()
    public internal(set) var ephemeralsBySession: [Int64: JavaStringHashSet] = [:]
    public internal(set) var containers: Set<String> = []
    public internal(set) var ttlNodes: Set<String> = []
    public internal(set) var lastProcessedZxid: Int64 = 0
    public var dataWatches = WatchManager()
    public var childWatches = WatchManager()
    /// Total bytes of paths and data, as ZooKeeper's `approximateDataSize` counts them.
    public internal(set) var approximateDataSize: Int = 0

    public init(configData: [UInt8] = []) {
        let empty = StatPersisted(
            czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, pzxid: 0)
        nodes["/"] = ZNode(data: [], aclReference: ACLCache.openUnsafeReference, stat: empty, children: ["zookeeper"])
        nodes[Self.zookeeperPath] = ZNode(
            data: [], aclReference: ACLCache.openUnsafeReference, stat: empty, children: ["quota", "config"])
        nodes[Self.quotaPath] = ZNode(data: [], aclReference: ACLCache.openUnsafeReference, stat: empty)
        var configStat = empty
        // ZooKeeper sets the config node's ACL with version -1 at start-up, which leaves aversion at -1.
        configStat.aversion = -1
        nodes[Self.configPath] = ZNode(
            data: configData, aclReference: aclCache.reference(for: ACL.readUnsafe), stat: configStat)
        approximateDataSize = nodes.keys.reduce(0) { $0 + $1.utf8.count } + configData.count
    }

    public var nodeCount: Int { nodes.count }

    /// The node at `path`. ZooKeeper's table also holds the root under "", so "" finds the root too.
    public func node(at path: String) -> ZNode? { nodes[path.isEmpty ? "/" : path] }

    public func acl(of node: ZNode) -> [ACL] { aclCache.list(for: node.aclReference) }

    /// A session's ephemeral paths, in the order ZooKeeper would list (and delete) them.
    public func ephemerals(of sessionId: Int64) -> [String] {
        ephemeralsBySession[sessionId]?.javaClone().elementsInJavaOrder ?? []
    }

    /// Number of nodes below `path`, at any depth.
    public func descendantCount(of path: String) -> Int {
        guard let node = node(at: path) else { return 0 }
        var count = 0
        for child in node.children {
            count += 1 + descendantCount(of: PathRules.join(path, child))
        }
        return count
    }

    /// Drops every watch of a connection that closed.
    public mutating func removeWatcher(_ watcher: WatcherID) {
        dataWatches.removeWatcher(watcher)
        childWatches.removeWatcher(watcher)
    }

    public var watchCount: Int { dataWatches.watchCount + childWatches.watchCount }
}
