import AviaryWire
import Logging
import NIOCore
import NIOPosix

/// The election port (ZooKeeper's `QuorumCnxManager`): one TCP connection per pair of servers, over which fast
/// leader election notifications travel both ways. It only moves notifications; the election itself is the
/// consumer's.
///
/// Rules taken from ZooKeeper so that Aviary and ZooKeeper servers can share an ensemble:
/// - The dialing side first writes its handshake (`ElectionHandshake`, V1 by default as in 3.8).
/// - Tie-break: only a connection dialed by the higher server id survives. A server that dials a higher id
///   writes its handshake and hangs up; the higher one, seeing a lower id, hangs up too and dials back. A newer
///   connection from a peer replaces the older one; newer by accept order, not by when its handshake was read
///   (`ElectionAcceptOrder`).
/// - Per peer, one queued message at most (the newest). A new connection carries the queued message, or else
///   the last one sent again.
/// - Sending to a peer without a connection dials it; nothing reconnects on its own otherwise (the election
///   resends, and `reconnectAll` is there for it).
/// - A bad handshake or message length closes that connection only. A message that is not a valid notification
///   is logged and skipped, as ZooKeeper's receiver skips it, so one odd message from a newer peer does not cut
///   the connection.
///
/// Notifications, our own included (sent to our own id), reach `deliver` on arbitrary event loop threads, each
/// connection's in order; the consumer hops to its own loop.
public final class ElectionConnectionManager: Sendable {
    public let configuration: ElectionConfiguration
    let logger: Logger
    private let group: any EventLoopGroup
    /// Where the manager's state lives and where it dials from.
    private let loop: any EventLoop
    private let state: NIOLoopBoundBox<ElectionManagerState>
    private let deliverToConsumer: @Sendable (ReceivedNotification) -> Void
    private let acceptOrder = ElectionAcceptOrder()

    public init(
        configuration: ElectionConfiguration, group: any EventLoopGroup, logger: Logger,
        deliver: @escaping @Sendable (ReceivedNotification) -> Void
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.loop = group.next()
        self.state = .makeBoxSendingValue(ElectionManagerState(peers: configuration.peers), eventLoop: loop)
        self.deliverToConsumer = deliver
    }

    var serverId: Int64 { configuration.serverId }

    /// Binds the election port; returns the bound address.
    public func start() async throws -> SocketAddress {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ElectionAcceptRecorder(order: self.acceptOrder))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configuration.security.addAcceptingHandlers(
                        to: channel, portName: "election", logger: self.logger)
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(ElectionFrameDecoder(expectsHandshake: true)),
                        ElectionChannelHandler(manager: self, peerId: nil))
                    self.track(channel)
                }
            }
            .bind(host: configuration.bindHost, port: configuration.bindPort)
            .get()
        guard let bound = server.localAddress, let port = bound.port else {
            server.close(promise: nil)
            throw ElectionStartError(reason: "the election port has no local address after bind")
        }
        let advertised =
            configuration.advertisedAddresses.isEmpty
            ? [ElectionAddress(host: configuration.bindHost, port: port)] : configuration.advertisedAddresses
        let handshake = ElectionHandshake(
            protocolVersion: configuration.handshakeVersion, serverId: serverId,
            addresses: configuration.handshakeVersion == .v1 ? [advertised[0]] : advertised)
        try await loop.submit {
            let state = self.state.value
            state.serverChannel = server
            state.handshake = handshake.encoded()
            if state.isShutDown { server.close(promise: nil) }
        }.get()
        logger.info("election port bound", metadata: ["address": "\(bound)"])
        return bound
    }

    /// Queues `notification` for server `serverId`, dialing it if there is no connection; to our own id it is
    /// delivered locally.
    public func send(_ notification: ElectionNotification, to serverId: Int64) {
        loop.execute { self.sendOnLoop(notification, to: serverId) }
    }

    /// Replaces the peers' addresses (after a reconfig). Connections stay; new dials use the new addresses.
    public func updatePeers(_ peers: [Int64: ElectionAddress]) {
        loop.execute { self.state.value.peers = peers }
    }

    /// Dials every peer we have sent to and are not connected with (ZooKeeper's `connectAll`, which the
    /// election calls when no notification has arrived for a while).
    public func reconnectAll() {
        loop.execute {
            let state = self.state.value
            for peer in Set(state.queued.keys).union(state.lastSent.keys).sorted() { self.dial(peer) }
        }
    }

    /// The live connections, one per peer, by server id.
    public func connections() async -> [ElectionConnectionInfo] {
        (try? await loop.submit {
            self.state.value.connections.sorted { $0.key < $1.key }.map { serverId, connection in
                ElectionConnectionInfo(
                    serverId: serverId, dialedByUs: connection.dialedByUs,
                    localAddress: connection.channel.localAddress, remoteAddress: connection.channel.remoteAddress)
            }
        }.get()) ?? []
    }

    /// Closes the port and every connection; later sends are dropped.
    public func shutdown() async {
        let channels =
            (try? await loop.submit { () -> [any Channel] in
                let state = self.state.value
                state.isShutDown = true
                state.queued = [:]
                state.connections = [:]
                return [state.serverChannel].compactMap { $0 } + Array(state.openChannels.values)
            }.get()) ?? []
        for channel in channels {
            channel.close(promise: nil)
        }
        for channel in channels {
            try? await channel.closeFuture.get()
        }
    }

    // MARK: - Called by connections (any loop)

    func deliver(_ notification: ElectionNotification, from senderId: Int64) {
        deliverToConsumer(ReceivedNotification(senderId: senderId, notification: notification))
    }

    /// A peer with a higher id dialed us: its connection becomes the one for that peer.
    func accepted(_ channel: any Channel, from peerId: Int64) {
        let order = acceptOrder.take(channel)
        loop.execute { self.register(channel, for: peerId, dialedByUs: false, acceptOrder: order) }
    }

    /// A peer with a lower id (or an observer without one) dialed us: it lost the tie-break, so we dial it.
    /// Our current connection to it is dropped first, as ZooKeeper does: the peer dialing means it has none.
    func dialBack(_ peerId: Int64, announced addresses: [ElectionAddress]) {
        loop.execute {
            let state = self.state.value
            var peerId = peerId
            if peerId == ElectionHandshake.observerId {
                peerId = state.nextObserverId
                state.nextObserverId -= 1
            }
            if let address = addresses.first { state.announcedAddresses[peerId] = address }
            if let existing = state.connections.removeValue(forKey: peerId) {
                existing.channel.close(promise: nil)
            }
            self.dial(peerId)
        }
    }

    func closed(_ channel: any Channel, peerId: Int64?) {
        _ = acceptOrder.take(channel)
        loop.execute {
            let state = self.state.value
            state.openChannels[ObjectIdentifier(channel)] = nil
            if let peerId, let current = state.connections[peerId], current.channel === channel {
                state.connections[peerId] = nil
            }
        }
    }

    // MARK: - On the manager's loop

    private func track(_ channel: any Channel) {
        loop.execute {
            let state = self.state.value
            guard !state.isShutDown else {
                channel.close(promise: nil)
                return
            }
            state.openChannels[ObjectIdentifier(channel)] = channel
        }
    }

    private func sendOnLoop(_ notification: ElectionNotification, to peerId: Int64) {
        let state = state.value
        guard !state.isShutDown else { return }
        if peerId == serverId {
            deliver(notification, from: serverId)
            return
        }
        var message = ByteBuffer()
        message.writeElectionMessage(notification)
        if let connection = state.connections[peerId] {
            state.lastSent[peerId] = message
            connection.channel.writeAndFlush(message, promise: nil)
        } else {
            state.queued[peerId] = message
            dial(peerId)
        }
    }

    private func register(_ channel: any Channel, for peerId: Int64, dialedByUs: Bool, acceptOrder: UInt64? = nil) {
        let state = state.value
        guard !state.isShutDown, channel.isActive else {
            channel.close(promise: nil)
            return
        }
        if let previous = state.connections[peerId], previous.channel !== channel {
            if let mine = acceptOrder, let theirs = previous.acceptOrder, theirs > mine, previous.channel.isActive {
                // The peer already uses a connection it opened after this one: this handshake was read late.
                channel.close(promise: nil)
                return
            }
            previous.channel.close(promise: nil)
        }
        state.connections[peerId] = .init(channel: channel, dialedByUs: dialedByUs, acceptOrder: acceptOrder)
        if let message = state.queued.removeValue(forKey: peerId) {
            state.lastSent[peerId] = message
            channel.write(message, promise: nil)
        } else if let message = state.lastSent[peerId] {
            channel.write(message, promise: nil)
        }
        channel.flush()
    }

    private func dial(_ peerId: Int64) {
        let state = state.value
        guard !state.isShutDown, state.connections[peerId] == nil, !state.dialing.contains(peerId) else { return }
        guard let handshake = state.handshake else { return }  // not started: nothing to announce yet
        guard let address = state.address(of: peerId) else {
            logger.warning("no election address for server", metadata: ["peer": "\(peerId)"])
            return
        }
        state.dialing.insert(peerId)
        ClientBootstrap(group: loop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configuration.security.addDialingHandlers(
                        to: channel, host: address.host, portName: "election", logger: self.logger)
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(ElectionFrameDecoder(expectsHandshake: false)),
                        ElectionChannelHandler(manager: self, peerId: peerId))
                }
            }
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                self.dialFinished(peerId, handshake: handshake, result: result)
            }
    }

    private func dialFinished(_ peerId: Int64, handshake: ByteBuffer, result: Result<any Channel, any Error>) {
        let state = state.value
        state.dialing.remove(peerId)
        switch result {
        case .failure(let error):
            logger.debug("cannot reach election peer", metadata: ["peer": "\(peerId)", "error": "\(error)"])
        case .success(let channel):
            state.openChannels[ObjectIdentifier(channel)] = channel
            if state.isShutDown {
                channel.close(promise: nil)
            } else if peerId > serverId {
                // We lose the tie-break: the handshake only tells the peer to dial us.
                channel.writeAndFlush(handshake).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.write(handshake, promise: nil)
                register(channel, for: peerId, dialedByUs: true)
            }
        }
    }
}

/// The election port could not be opened.
public struct ElectionStartError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
