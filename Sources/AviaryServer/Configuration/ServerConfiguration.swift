/// Everything a server reads from its zoo.cfg, validated, with ZooKeeper's defaults filled in.
///
/// The file format and the meaning of each key are ZooKeeper's (`zookeeperAdmin.md`, "Configuration Parameters"),
/// so an existing zoo.cfg starts an Aviary server unchanged. Keys only the Java server understands are accepted
/// and reported in `warnings`; see `ServerConfiguration+Parsing.swift` for the rules and the deviations.
public struct ServerConfiguration: Sendable, Equatable {
    /// The zoo.cfg this came from; `nil` when parsed from text.
    public var sourcePath: String?

    // MARK: Time

    /// `tickTime`: the unit of every other timeout, and the session-expiry granularity.
    public var tickTimeMillis: Int
    /// `initLimit`: how long a follower may take to connect to and sync with the leader.
    public var initLimitTicks: Int
    /// `syncLimit`: how far a follower may fall behind the leader before it is dropped.
    public var syncLimitTicks: Int

    // MARK: Storage

    /// `dataDir`: snapshots, `myid` and, unless `dataLogDir` is set, the transaction log. Absolute when read from a
    /// file; a relative value is taken relative to the directory holding the file.
    public var dataDir: String
    /// `dataLogDir`: the transaction log; defaults to `dataDir`. A separate device keeps fsync latency low.
    public var dataLogDir: String
    /// `snapCount`: transactions between snapshots (each server picks a random point in the upper half).
    public var snapCount: Int
    /// `snapSizeLimitInKb`: log bytes between snapshots (each server picks a random point in the upper half);
    /// 0 turns the size trigger off.
    public var snapSizeLimitKB: Int
    /// `preAllocSize`: the transaction log grows in blocks of this size to avoid metadata writes on append.
    public var preAllocSizeKB: Int
    /// `forceSync`: fsync the log before acknowledging. Turning it off trades durability for latency.
    public var forceSync: Bool
    /// `snapshot.compression.method`.
    public var snapshotCompression: SnapshotCompression
    /// `txnLogCompression` (Aviary's own key): compress sealed log segments to `log.<zxid>.gz`. Turn it off to keep
    /// a data directory that ZooKeeper itself can start on.
    public var txnLogCompression: Bool
    /// `autopurge.snapRetainCount`: snapshots (and the logs they need) kept by the purge task; at least 3.
    public var autopurgeSnapRetainCount: Int
    /// `autopurge.purgeInterval`: hours between purges; 0 disables purging.
    public var autopurgePurgeIntervalHours: Int

    // MARK: Clients

    /// `clientPort`; `nil` when unset (an ensemble member may announce its port on its `server.N` line instead).
    public var clientPort: Int?
    /// `clientPortAddress`; `nil` means all addresses (0.0.0.0).
    public var clientPortAddress: String?
    /// `secureClientPort`: the TLS client port.
    public var secureClientPort: Int?
    /// Quorum and client TLS (`sslQuorum`, `ssl.quorum.*`, `ssl.*`, …).
    public var tls = ServerTLSOptions()
    /// `maxClientCnxns`: concurrent connections from one IP address; 0 means unlimited.
    public var maxClientConnectionsPerHost: Int
    /// `minSessionTimeout`: the least session timeout granted; defaults to 2 ticks.
    public var minSessionTimeoutMillis: Int
    /// `maxSessionTimeout`: the most session timeout granted; defaults to 20 ticks.
    public var maxSessionTimeoutMillis: Int
    /// `4lw.commands.whitelist`: the four-letter words answered. Always holds `srvr`, and `isro` when read-only mode
    /// is on, as in ZooKeeper.
    public var fourLetterWordWhitelist: Set<String>
    /// `jute.maxbuffer`: the largest request, response or znode payload, in bytes.
    public var juteMaxBufferBytes: Int
    /// `extendedTypesEnabled`: TTL nodes, which need the high byte of session ids.
    public var extendedTypesEnabled: Bool
    /// `DigestAuthenticationProvider.superDigest`: `super:<base64 sha1>`, the digest credentials that bypass ACLs.
    public var superDigest: String?
    /// `readonlymode.enabled`: keep serving reads when cut off from the quorum.
    public var readOnlyModeEnabled: Bool

    // MARK: Containers

    /// `znode.container.checkIntervalMs`: how often empty containers and expired TTL nodes are looked for.
    public var containerCheckIntervalMillis: Int
    /// `znode.container.maxPerMinute`: the most such nodes deleted per minute.
    public var containerMaxPerMinute: Int

    // MARK: Ensemble

    /// The `server.N` lines, sorted by id.
    public var servers: [QuorumServer]
    /// `standaloneEnabled`: with one participant listed, run standalone rather than as a one-server ensemble.
    public var standaloneEnabled: Bool
    /// `quorumListenOnAllIPs`: bind the election and learner ports on every address, not just the server.N one.
    public var quorumListenOnAllIPs: Bool

    // MARK: Diagnostics

    /// What the operator should see at start-up: keys accepted but ignored (Java-only, not yet supported, or
    /// unknown) and values adjusted as ZooKeeper would adjust them, each with its line.
    public var warnings: [ConfigurationWarning]

    /// A configuration with ZooKeeper's defaults, for tests and embedding; session timeouts follow `tickTimeMillis`.
    public init(dataDir: String, tickTimeMillis: Int = Defaults.tickTimeMillis) {
        self.sourcePath = nil
        self.tickTimeMillis = tickTimeMillis
        self.initLimitTicks = Defaults.initLimitTicks
        self.syncLimitTicks = Defaults.syncLimitTicks
        self.dataDir = dataDir
        self.dataLogDir = dataDir
        self.snapCount = Defaults.snapCount
        self.snapSizeLimitKB = 4 * 1024 * 1024
        self.preAllocSizeKB = Defaults.preAllocSizeKB
        self.forceSync = true
        self.snapshotCompression = SnapshotCompression.aviaryDefault
        self.txnLogCompression = true
        self.autopurgeSnapRetainCount = Defaults.autopurgeSnapRetainCountMin
        self.autopurgePurgeIntervalHours = 0
        self.clientPort = nil
        self.clientPortAddress = nil
        self.secureClientPort = nil
        self.maxClientConnectionsPerHost = Defaults.maxClientConnectionsPerHost
        self.minSessionTimeoutMillis = Defaults.minSessionTimeoutTicks * tickTimeMillis
        self.maxSessionTimeoutMillis = Defaults.maxSessionTimeoutTicks * tickTimeMillis
        self.fourLetterWordWhitelist = FourLetterWords.alwaysEnabled
        self.juteMaxBufferBytes = Defaults.juteMaxBufferBytes
        self.extendedTypesEnabled = false
        self.superDigest = nil
        self.readOnlyModeEnabled = false
        self.containerCheckIntervalMillis = Defaults.containerCheckIntervalMillis
        self.containerMaxPerMinute = Defaults.containerMaxPerMinute
        self.servers = []
        self.standaloneEnabled = true
        self.quorumListenOnAllIPs = false
        self.warnings = []
    }

    /// ZooKeeper's defaults, where the server reads them from.
    public enum Defaults {
        public static let tickTimeMillis = 2000
        public static let initLimitTicks = 10
        public static let syncLimitTicks = 5
        public static let minSessionTimeoutTicks = 2
        public static let maxSessionTimeoutTicks = 20
        public static let maxClientConnectionsPerHost = 60
        public static let juteMaxBufferBytes = 0xfffff
        public static let snapCount = 100_000
        /// ZooKeeper raises a smaller `snapCount` to this.
        public static let snapCountMin = 2
        public static let preAllocSizeKB = 65536
        /// ZooKeeper raises a smaller `autopurge.snapRetainCount` to this: the purge tool refuses to keep fewer.
        public static let autopurgeSnapRetainCountMin = 3
        public static let containerCheckIntervalMillis = 60_000
        public static let containerMaxPerMinute = 10_000
    }

    /// The participants (voting members) among `servers`.
    public var participants: [QuorumServer] {
        servers.filter { $0.role == .participant }
    }

    /// The observers among `servers`.
    public var observers: [QuorumServer] {
        servers.filter { $0.role == .observer }
    }

    /// Whether this server runs as an ensemble member (election, Zab) rather than standalone: ZooKeeper's rule is
    /// more than one participant, or any participant when `standaloneEnabled` is off.
    public var isEnsemble: Bool {
        let participantCount = participants.count
        return participantCount > 1 || (!standaloneEnabled && participantCount > 0)
    }

    /// The server with the given id (the content of `dataDir/myid`), if listed.
    public func server(id: Int64) -> QuorumServer? {
        servers.first { $0.id == id }
    }
}
