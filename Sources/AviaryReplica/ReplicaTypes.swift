import AviaryConsensus
import AviaryDataTree
import AviaryWire
import NIOCore

/// A client connection, numbered by the shell. Watches are registered per connection.
public typealias ConnectionID = WatcherID

/// Settings the replica needs; the shell validates them from zoo.cfg.
public struct ReplicaConfiguration: Sendable {
    public var serverId: Int64
    public var tickTimeMillis: Int
    public var minSessionTimeoutMillis: Int
    public var maxSessionTimeoutMillis: Int
    public var extendedTypesEnabled: Bool
    /// `user:base64(sha1(user:password))` of the super user, if one is configured.
    public var superDigest: String?
    /// How often empty containers and expired TTL nodes are removed, and how many at most per minute.
    public var containerCheckIntervalMillis: Int
    public var containerMaxPerMinute: Int
    /// `readonlymode.enabled`: an ensemble member cut off from the quorum serves reads to clients that allow it.
    public var readOnlyModeEnabled: Bool

    public init(
        serverId: Int64 = 1, tickTimeMillis: Int = 2000, minSessionTimeoutMillis: Int? = nil,
        maxSessionTimeoutMillis: Int? = nil, extendedTypesEnabled: Bool = false, superDigest: String? = nil,
        containerCheckIntervalMillis: Int = 60_000, containerMaxPerMinute: Int = 10_000,
        readOnlyModeEnabled: Bool = false
    ) {
        self.readOnlyModeEnabled = readOnlyModeEnabled
        self.containerCheckIntervalMillis = containerCheckIntervalMillis
        self.containerMaxPerMinute = containerMaxPerMinute
        self.serverId = serverId
        self.tickTimeMillis = tickTimeMillis
        self.minSessionTimeoutMillis = minSessionTimeoutMillis ?? 2 * tickTimeMillis
        self.maxSessionTimeoutMillis = maxSessionTimeoutMillis ?? 20 * tickTimeMillis
        self.extendedTypesEnabled = extendedTypesEnabled
        self.superDigest = superDigest
    }
}

/// What the shell tells the replica.
public enum ReplicaInput: Sendable {
    /// A connection's first frame. `address` is the client's IP address as text; `certificateIdentities` are
    /// what the client's TLS certificate proved (x509, and super for the configured super user).
    case connect(ConnectionID, ConnectRequest, address: String, certificateIdentities: [Id] = [])
    /// A request on an established connection. `identity` carries the result of an auth packet, computed at the
    /// edge (hashing is not the replica's business): nil for other requests.
    case request(ConnectionID, RequestHeader, ClientRequest, identity: AuthOutcome?)
    /// A request with an opcode the server does not know: answered UNIMPLEMENTED, then the connection closes.
    case unknownRequest(ConnectionID, RequestHeader)
    /// A known opcode whose body did not decode: answered MARSHALLINGERROR in its turn; the connection stays.
    case undecodableRequest(ConnectionID, RequestHeader)
    case disconnected(ConnectionID)
    /// One tickTime passed.
    case tick
    /// Transactions up to this zxid are durable.
    case logAppended(through: Int64)

    // Ensemble members only.
    /// Joins the ensemble: the first election starts. `now` is the shell's monotonic clock in milliseconds.
    case start(now: Int64)
    /// The monotonic clock, fed often (tens of milliseconds): elections, heartbeats and learner deadlines.
    case clock(now: Int64)
    case notification(Notification, from: Int64)
    case learnerPacket(LearnerPacket, from: Int64)
    /// The snapshot that followed the leader's SNAP, as it came off the wire (without its signature).
    case snapshotReceived(zxid: Int64, ByteBuffer, from: Int64)
    case connectedToLeader(Int64)
    /// The learner connection with this peer closed or could not be opened.
    case peerConnectionLost(Int64)
}

/// The result of checking an auth packet at the edge.
public enum AuthOutcome: Sendable, Hashable {
    /// Add these identities to the connection (digest adds `super:` too when it matches the super digest).
    case authenticated([Id])
    case failed
}

/// What the replica asks the shell to do, in order.
public enum ReplicaEffect: Sendable {
    case connectResponse(ConnectionID, ConnectResponse)
    case reply(ConnectionID, ReplyHeader, ResponseBody)
    case notification(ConnectionID, WatcherEvent)
    /// Close after everything queued before it has been written.
    case close(ConnectionID, reason: String)
    /// Make this transaction durable, then report `logAppended`.
    case appendToLog(Txn)

    // Ensemble members only. Barriers (epochs, truncation, snapshot) complete before the next effect runs.
    case sendNotification(to: Int64, Notification)
    case sendToPeer(Int64, LearnerPacket)
    /// SNAP to a learner: the packet, then this serialized state (sessions and tree), then its signature.
    case sendSnapshot(to: Int64, zxid: Int64, ByteBuffer)
    case connectToLeader(Int64)
    case disconnectPeer(Int64, reason: String)
    case persistAcceptedEpoch(Int64)
    case persistCurrentEpoch(Int64)
    /// Drop logged txns after `zxid`. With `reloadState`, the replica applied some of them: the shell rebuilds the
    /// state from disk and hands it back through `Replica.install`.
    case truncateLog(after: Int64, reloadState: Bool)
    /// Write the current tree as a snapshot now; the log continues in a new segment.
    case saveSnapshot
    case servingStateChanged(ServingState)
}
