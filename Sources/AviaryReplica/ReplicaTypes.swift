import AviaryDataTree
import AviaryWire

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

    public init(
        serverId: Int64 = 1, tickTimeMillis: Int = 2000, minSessionTimeoutMillis: Int? = nil,
        maxSessionTimeoutMillis: Int? = nil, extendedTypesEnabled: Bool = false, superDigest: String? = nil,
        containerCheckIntervalMillis: Int = 60_000, containerMaxPerMinute: Int = 10_000
    ) {
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
    /// A connection's first frame. `address` is the client's IP address as text.
    case connect(ConnectionID, ConnectRequest, address: String)
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
}
