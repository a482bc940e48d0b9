import AviaryWire
import NIOCore

/// The mutable part of an `ElectionConnectionManager`. It lives on the manager's event loop and is touched
/// only there (`NIOLoopBoundBox` checks), so no lock is needed and every decision sees one consistent picture.
final class ElectionManagerState {
    struct Connection {
        var channel: any Channel
        var dialedByUs: Bool
        /// For an accepted connection, its place in `ElectionAcceptOrder`.
        var acceptOrder: UInt64?
    }

    var peers: [Int64: ElectionAddress]
    /// Addresses learned from handshakes, for servers the configuration does not name (observers, new members).
    var announcedAddresses: [Int64: ElectionAddress] = [:]
    /// The one connection per peer that messages go out on.
    var connections: [Int64: Connection] = [:]
    /// Peers being dialed, so that a burst of sends opens one connection, not many.
    var dialing: Set<Int64> = []
    /// The message waiting for a connection, per peer: capacity one, the newest wins (ZooKeeper's SEND_CAPACITY).
    var queued: [Int64: ByteBuffer] = [:]
    /// The last message sent per peer, sent again on every new connection to it when nothing newer is queued:
    /// it may have been lost with the old connection, and a duplicate notification is harmless.
    var lastSent: [Int64: ByteBuffer] = [:]
    /// Every open channel, accepted or dialed, registered or not, so that shutdown can close them all.
    var openChannels: [ObjectIdentifier: any Channel] = [:]
    var serverChannel: (any Channel)?
    /// The handshake we send, encoded once the bound port is known.
    var handshake: ByteBuffer?
    /// ZooKeeper numbers observers that connect without an id from -1 downwards.
    var nextObserverId: Int64 = -1
    var isShutDown = false

    init(peers: [Int64: ElectionAddress]) {
        self.peers = peers
    }

    func address(of serverId: Int64) -> ElectionAddress? {
        peers[serverId] ?? announcedAddresses[serverId]
    }
}
