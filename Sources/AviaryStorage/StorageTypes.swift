import AviaryDataTree

/// How a snapshot is written; the file suffix records the choice, as in ZooKeeper
/// (`zookeeper.snapshot.compression.method`). Aviary writes gzip by default (DESIGN.md §1).
public enum SnapshotCompression: String, Sendable, Hashable, CaseIterable {
    case none
    case gzip

    public var fileSuffix: String {
        switch self {
        case .none: ""
        case .gzip: ".gz"
        }
    }
}

/// A global session as snapshots record it.
public struct SessionEntry: Sendable, Hashable {
    public var id: Int64
    public var timeoutMillis: Int32

    public init(id: Int64, timeoutMillis: Int32) {
        self.id = id
        self.timeoutMillis = timeoutMillis
    }
}

/// The tree digest a snapshot recorded (ZooKeeper's `ZxidDigest`): the digest of the tree once every txn up to
/// `zxid` is applied.
public struct SnapshotDigest: Sendable, Hashable {
    public var zxid: Int64
    public var version: Int32
    public var value: Int64

    public init(zxid: Int64, version: Int32, value: Int64) {
        self.zxid = zxid
        self.version = version
        self.value = value
    }
}

/// A snapshot read back and verified.
public struct LoadedSnapshot: Sendable {
    public var tree: DataTree
    public var sessions: [SessionEntry]
    /// From the file name; replay starts after it.
    public var zxid: Int64
    public var digest: SnapshotDigest?
    /// The lastProcessedZxid section ZooKeeper 3.9 adds, when present.
    public var recordedLastProcessedZxid: Int64?
    public var path: String

    public init(
        tree: DataTree, sessions: [SessionEntry], zxid: Int64, digest: SnapshotDigest? = nil,
        recordedLastProcessedZxid: Int64? = nil, path: String
    ) {
        self.tree = tree
        self.sessions = sessions
        self.zxid = zxid
        self.digest = digest
        self.recordedLastProcessedZxid = recordedLastProcessedZxid
        self.path = path
    }
}
