import AviaryWire
import Logging
import NIOCore
import NIOPosix

/// The leader's learner port (ZooKeeper's quorumPort): accepts followers and observers and reports each
/// connection's events to one consumer. What to answer is the consumer's decision.
public final class LearnerListener: Sendable {
    private let serverChannel: any Channel

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
    }

    /// Binds `host:port` (0 picks a free port). `packetBytesMax` bounds each incoming packet (ZooKeeper's
    /// jute.maxbuffer plus padding); `onEvent` is called on each connection's event loop.
    public static func bind(
        group: any EventLoopGroup, host: String, port: Int, packetBytesMax: Int,
        security: QuorumSecurity = .plainText, logger: Logger, onEvent: @escaping @Sendable (LearnerConnectionEvent) -> Void
    ) async throws -> LearnerListener {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                LearnerChannelSetup.configure(channel, packetBytesMax: packetBytesMax, logger: logger, onEvent: onEvent) {
                    try security.addAcceptingHandlers(to: channel, portName: "learner", logger: logger)
                }
            }
            .bind(host: host, port: port)
            .get()
        logger.info("learner port bound", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return LearnerListener(serverChannel: channel)
    }

    public var localAddress: SocketAddress? { serverChannel.localAddress }

    /// Stops accepting. Open connections stay; the consumer closes them through their handles.
    public func close() async {
        try? await serverChannel.close()
    }
}
