import AviaryWire
import NIOCore

/// What an `ElectionConnectionManager` needs to know: who we are, where we listen, where our peers listen.
public struct ElectionConfiguration: Sendable {
    public var serverId: Int64
    public var bindHost: String
    /// 0 picks a free port (tests); the bound one is what `start()` returns.
    public var bindPort: Int
    /// What the handshake announces; empty means the bound host and port. V1 sends only the first.
    public var advertisedAddresses: [ElectionAddress]
    /// ZooKeeper 3.8 sends V1 unless multiAddress is enabled; V2 is understood by 3.6 and later only.
    public var handshakeVersion: ElectionHandshake.ProtocolVersion
    /// The other voting and observing servers' election addresses, by server id.
    public var peers: [Int64: ElectionAddress]
    /// How long a dial may take (ZooKeeper's `cnxTimeout`, 5 s).
    public var connectTimeout: TimeAmount
    /// How long an accepted connection may take to send its handshake before it is closed.
    public var handshakeTimeout: TimeAmount
    public var security: QuorumSecurity

    public init(
        serverId: Int64, bindHost: String, bindPort: Int, advertisedAddresses: [ElectionAddress] = [],
        handshakeVersion: ElectionHandshake.ProtocolVersion = .v1, peers: [Int64: ElectionAddress],
        connectTimeout: TimeAmount = .seconds(5), handshakeTimeout: TimeAmount = .seconds(5),
        security: QuorumSecurity = .plainText
    ) {
        precondition(serverId >= 0 && serverId != ElectionHandshake.observerId, "server id \(serverId) is reserved")
        self.serverId = serverId
        self.bindHost = bindHost
        self.bindPort = bindPort
        self.advertisedAddresses = advertisedAddresses
        self.handshakeVersion = handshakeVersion
        self.peers = peers
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.security = security
    }
}

/// A notification as the election receives it: which server sent it, and what it says.
public struct ReceivedNotification: Sendable, Hashable {
    public var senderId: Int64
    public var notification: ElectionNotification

    public init(senderId: Int64, notification: ElectionNotification) {
        self.senderId = senderId
        self.notification = notification
    }
}

/// One live election connection, as `ElectionConnectionManager.connections()` reports it.
public struct ElectionConnectionInfo: Sendable, Hashable {
    public var serverId: Int64
    /// True when we dialed it (and kept it, having the higher id); false when the peer dialed us.
    public var dialedByUs: Bool
    public var localAddress: SocketAddress?
    public var remoteAddress: SocketAddress?
}
