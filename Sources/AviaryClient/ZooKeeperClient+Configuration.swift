import Logging
import NIOCore
import NIOPosix

extension ZooKeeperClient {
    /// Prepares a freshly opened connection before the client's own handlers are added: the seam for
    /// transport security. A TLS setup adds its client handler here (for the `ServerAddress` being dialled)
    /// and completes the future once the pipeline is ready; the client protocol then runs over it unchanged.
    public typealias ChannelInitializer = @Sendable (any Channel, ServerAddress) -> EventLoopFuture<Void>

    /// Settings of a client; the defaults suit most uses.
    public struct Configuration: Sendable {
        /// Where the client's connection and timers run; the client uses one loop of the group.
        public var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
        /// Try the servers of the connection string in random order, spreading clients over the ensemble
        /// (the Java client's behaviour). Off: in the order given.
        public var shuffleServers = true
        /// How long `connect` waits for the first session; nil means the session timeout.
        public var connectTimeout: Duration?
        /// The pause after every server of the list refused in a row; nil means a tenth of the session
        /// timeout, between 50 ms and 1 s, so a short outage is retried several times within the session.
        public var reconnectDelay: Duration?
        /// The largest reply frame accepted; a larger one drops the connection (a `getChildren` of a huge
        /// node, say). ZooKeeper's server sends up to `jute.maxbuffer` plus headers.
        public var replyBytesMax = 4 * 1024 * 1024
        /// The largest request body sent; a larger request fails with `badArguments` instead of making the
        /// server drop the connection (its `jute.maxbuffer`, 1 MiB - 1 by default).
        public var requestBytesMax = 1_048_575
        /// Requests waiting for a connection; more fail with `connectionLoss` at once.
        public var queuedRequestsMax = 10_000
        /// Events a persistent watch buffers for a slow consumer before it fails.
        public var watchEventBufferMax = 10_000
        /// Runs on each new connection first; see `ChannelInitializer`. The default adds nothing (plain TCP).
        public var channelInitializer: ChannelInitializer = { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        /// Connection and session events are logged here (debug and info); silent by default.
        public var logger = Logger(label: "aviary.client", factory: { _ in SwiftLogNoOpLogHandler() })

        public init() {}
    }
}
