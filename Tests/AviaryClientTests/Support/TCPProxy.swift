import NIOCore
import NIOPosix

/// A loopback TCP proxy in front of one server, to break the network between a client and the server.
///
/// - `cut()` closes every proxied connection now; new connections still work.
/// - `refuseNewConnections(true)` closes every new connection as soon as it is accepted.
/// - `freeze()` stops forwarding bytes in both directions (they are held, not lost) on existing and new
///   connections, so both ends hear silence; `thaw()` delivers what was held and resumes.
///
/// All of its state lives on one event loop of its own.
final class TCPProxy: Sendable {
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let state: NIOLoopBound<ProxyState>

    var connectString: String { "127.0.0.1:\(port)" }

    static func start(targetPort: Int) async throws -> TCPProxy {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let state = try await loop.submit { NIOLoopBound(ProxyState(), eventLoop: loop) }.get()
        let listener = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { downstream in
                downstream.eventLoop.makeCompletedFuture {
                    let relay = RelayHandler(state: state.value)
                    try downstream.pipeline.syncOperations.addHandler(relay)
                    state.value.accepted(downstream, relay: relay, targetPort: targetPort)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TCPProxy(port: listener.localAddress?.port ?? 0, group: group, listener: listener, state: state)
    }

    private init(port: Int, group: MultiThreadedEventLoopGroup, listener: any Channel, state: NIOLoopBound<ProxyState>) {
        self.port = port
        self.group = group
        self.listener = listener
        self.state = state
    }

    func cut() async throws {
        let state = self.state
        try await listener.eventLoop.submit { state.value.closeAll() }.get()
    }

    func refuseNewConnections(_ refuse: Bool) async throws {
        let state = self.state
        try await listener.eventLoop.submit { state.value.refusing = refuse }.get()
    }

    func freeze() async throws {
        let state = self.state
        try await listener.eventLoop.submit { state.value.frozen = true }.get()
    }

    func thaw() async throws {
        let state = self.state
        try await listener.eventLoop.submit {
            state.value.frozen = false
            state.value.flushAll()
        }.get()
    }

    /// How many connections the proxy has accepted so far.
    func acceptedCount() async throws -> Int {
        let state = self.state
        return try await listener.eventLoop.submit { state.value.acceptedTotal }.get()
    }

    func stop() async {
        let state = self.state
        try? await listener.eventLoop.submit { state.value.closeAll() }.get()
        try? await listener.close()
        try? await group.shutdownGracefully()
    }
}

/// The proxy's loop-confined state: its mode and every live relay.
private final class ProxyState {
    var frozen = false
    var refusing = false
    var acceptedTotal = 0
    private var relays: [ObjectIdentifier: RelayHandler] = [:]

    func register(_ relay: RelayHandler) { relays[ObjectIdentifier(relay)] = relay }
    func unregister(_ relay: RelayHandler) { relays[ObjectIdentifier(relay)] = nil }

    func accepted(_ downstream: any Channel, relay: RelayHandler, targetPort: Int) {
        acceptedTotal += 1
        if refusing {
            downstream.close(promise: nil)
            return
        }
        let state = NIOLoopBound(self, eventLoop: downstream.eventLoop)
        let downstreamRelay = NIOLoopBound(relay, eventLoop: downstream.eventLoop)
        ClientBootstrap(group: downstream.eventLoop)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    let back = RelayHandler(state: state.value)
                    back.setPeer(downstream)
                    try upstream.pipeline.syncOperations.addHandler(back)
                }
            }
            .connect(host: "127.0.0.1", port: targetPort)
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    if downstream.isActive {
                        downstreamRelay.value.setPeer(upstream)
                    } else {
                        upstream.close(promise: nil)
                    }
                case .failure:
                    downstream.close(promise: nil)
                }
            }
    }

    func closeAll() {
        for relay in relays.values { relay.close() }
    }

    func flushAll() {
        for relay in relays.values { relay.flushHeld() }
    }
}

/// Forwards what one side sends to the other; holds it while the proxy is frozen or the peer not yet open.
private final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let state: ProxyState
    private var peer: (any Channel)?
    private var held: [ByteBuffer] = []
    private var context: ChannelHandlerContext?

    init(state: ProxyState) {
        self.state = state
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.register(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        state.unregister(self)
    }

    func setPeer(_ channel: any Channel) {
        peer = channel
        flushHeld()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
        flushHeld()
    }

    func flushHeld() {
        guard !state.frozen, let peer, !held.isEmpty else { return }
        for buffer in held { peer.write(buffer, promise: nil) }
        held = []
        peer.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        held = []
        peer?.close(promise: nil)
        state.unregister(self)
        context.fireChannelInactive()
    }

    func close() {
        context?.close(promise: nil)
        peer?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
