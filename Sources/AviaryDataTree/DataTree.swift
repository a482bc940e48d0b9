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

/// The znode tree: the nodes (a compact `NodeStore`), the ACL table, the ephemeral, container and TTL indexes,
/// and the watch tables of this server's connections.
///
/// It changes only through `apply` (a committed transaction) and watch registration; `prepare` turns requests
/// into transactions without changing it. It has no clock: time arrives in each TxnHeader.
public struct DataTree: Sendable {
    public static let zookeeperPath = "/zookeeper"
    public static let quotaPath = "/zookeeper/quota"
    public static let configPath = "/zookeeper/config"

    var store = NodeStore()
    public internal(set) var aclCache = ACLCache()
    public internal(set) var ephemeralsBySession: [Int64: JavaStringHashSet] = [:]
    public internal(set) var containers: Set<PathKey> = []
    public internal(set) var ttlNodes: Set<PathKey> = []
    public internal(set) var lastProcessedZxid: Int64 = 0
    public var dataWatches = WatchManager()
    public var childWatches = WatchManager()
    /// Total bytes of paths and data, as ZooKeeper's `approximateDataSize` counts them.
    public internal(set) var approximateDataSize: Int = 0

    public init(configData: [UInt8] = []) {
        let open = ACLCache.openUnsafeReference
        let empty = NodeStore.emptyStat
        let zookeeper = store.add(
            NodeRecord(name: "zookeeper", parent: NodeStore.root, aclReference: open, stat: empty), data: [])!
        _ = store.add(NodeRecord(name: "quota", parent: zookeeper, aclReference: open, stat: empty), data: [])
        var configStat = empty
        // ZooKeeper sets the config node's ACL with version -1 at start-up, which leaves aversion at -1.
        configStat.aversion = -1
        let configACL = aclCache.reference(for: ACL.readUnsafe)
        _ = store.add(
            NodeRecord(name: "config", parent: zookeeper, aclReference: configACL, stat: configStat), data: configData)
        let paths = ["/", Self.zookeeperPath, Self.quotaPath, Self.configPath]
        approximateDataSize = paths.reduce(0) { $0 + $1.utf8.count } + configData.count
    }

    public var nodeCount: Int { store.count }

    /// The node at `path`. ZooKeeper's table also holds the root under "", so "" finds the root too.
    public func node(at path: String) -> ZNode? {
        store.node(at: path).map(znode)
    }

    /// The names of the children of the node at `path`, sorted; empty when there is no such node.
    public func children(of path: String) -> [String] {
        guard let node = store.node(at: path) else { return [] }
        return store.childrenSortedByName(of: node).map(\.name)
    }

    /// Every node's path ("/" for the root), parents before children. Builds one String per node: for tools and
    /// tests, not for request paths.
    public func allPaths() -> [String] {
        var paths: [String] = []
        paths.reserveCapacity(store.count)
        var walk = PreOrderWalk(store)
        while walk.next() != nil { paths.append(String(decoding: walk.path, as: UTF8.self)) }
        return paths
    }

    public func acl(of node: ZNode) -> [ACL] { aclCache.list(for: node.aclReference) }

    /// A session's ephemeral paths, in the order ZooKeeper would list (and delete) them.
    public func ephemerals(of sessionId: Int64) -> [String] {
        ephemeralsBySession[sessionId]?.javaClone().elementsInJavaOrder ?? []
    }

    /// Number of nodes below `path`, at any depth.
    public func descendantCount(of path: String) -> Int {
        guard let node = store.node(at: path) else { return 0 }
        var count = 0
        var stack = [node]
        while let next = stack.popLast() {
            for child in store.children(of: next) {
                count += 1
                stack.append(child)
            }
        }
        return count
    }

    /// Drops every watch of a connection that closed.
    public mutating func removeWatcher(_ watcher: WatcherID) {
        dataWatches.removeWatcher(watcher)
        childWatches.removeWatcher(watcher)
    }

    public var watchCount: Int { dataWatches.watchCount + childWatches.watchCount }

    // MARK: Nodes by index, for this module's request paths

    func znode(_ node: NodeID) -> ZNode {
        let record = store[node]
        return ZNode(
            data: store.data(of: node), aclReference: record.aclReference, stat: record.stat,
            childCount: Int(record.childCount))
    }

    /// The node stored under exactly `path`. Unlike `node(at:)`, "" is not the root: transactions address nodes
    /// this way.
    func storedNode(at path: String) -> NodeID? { path.isEmpty ? nil : store.node(at: path) }

    func clientStat(_ node: NodeID) -> Stat {
        let record = store[node]
        return ZNode.clientStat(
            record.stat, dataLength: max(0, store.dataLength(of: node)), childCount: Int(record.childCount))
    }

    func aclList(_ node: NodeID) -> [ACL] { aclCache.list(for: store[node].aclReference) }
}
