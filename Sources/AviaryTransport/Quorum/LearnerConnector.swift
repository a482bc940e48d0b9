import AviaryWire
import Logging
import NIOCore
import NIOPosix

/// A follower's or observer's side of the learner port: dials the leader, retrying a bounded number of times
/// (the leader may still be opening its port when the election ends), then behaves as the listener's
/// connections do.
public enum LearnerConnector {
    public struct RetryPolicy: Sendable {
        /// Dial attempts in all; ZooKeeper's learner makes 5.
        public var attempts: Int
        /// Pause between attempts; ZooKeeper's is 1 s.
        public var delay: TimeAmount
        public var connectTimeout: TimeAmount

        public init(attempts: Int = 5, delay: TimeAmount = .seconds(1), connectTimeout: TimeAmount = .seconds(5)) {
            precondition(attempts >= 1)
            self.attempts = attempts
            self.delay = delay
            self.connectTimeout = connectTimeout
        }
    }

    /// Connects to the leader at `host:port`. Throws the last attempt's error once every attempt has failed.
    /// `onEvent` starts with `.opened` for the returned connection.
    public static func connect(
        group: any EventLoopGroup, host: String, port: Int, packetBytesMax: Int, retry: RetryPolicy = RetryPolicy(),
        security: QuorumSecurity = .plainText, logger: Logger, onEvent: @escaping @Sendable (LearnerConnectionEvent) -> Void
    ) async throws -> LearnerConnection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(retry.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                LearnerChannelSetup.configure(channel, packetBytesMax: packetBytesMax, logger: logger, onEvent: onEvent) {
                    try security.addDialingHandlers(to: channel, host: host, portName: "learner", logger: logger)
                }
            }
        var attempt = 1
        while true {
            do {
                return LearnerConnection(channel: try await bootstrap.connect(host: host, port: port).get())
            } catch {
                guard attempt < retry.attempts else { throw error }
                logger.info(
                    "cannot reach the leader; retrying",
                    metadata: ["leader": "\(host):\(port)", "attempt": "\(attempt)", "error": "\(error)"])
                attempt += 1
                try await Task.sleep(nanoseconds: UInt64(max(retry.delay.nanoseconds, 0)))
            }
        }
    }
}
