import AviaryDataTree
import AviaryReplica
import AviaryTransport
import Logging
import NIOCore
import NIOConcurrencyHelpers
import NIOPosix

/// A single Aviary server: the client listener and the replica driver on one event loop.
public final class StandaloneServer: Sendable {
    public let configuration: ServerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let driver: ReplicaDriver
    private let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // One loop owns the replica and every client channel: no locks, no hops, one input at a time.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let replicaConfiguration = ReplicaConfiguration(
            serverId: 1, tickTimeMillis: configuration.tickTimeMillis,
            minSessionTimeoutMillis: configuration.minSessionTimeoutMillis,
            maxSessionTimeoutMillis: configuration.maxSessionTimeoutMillis,
            extendedTypesEnabled: configuration.extendedTypesEnabled, superDigest: configuration.superDigest,
            containerCheckIntervalMillis: configuration.containerCheckIntervalMillis,
            containerMaxPerMinute: configuration.containerMaxPerMinute)
        let settings = ClientServiceSettings(
            maximumFrameBytes: configuration.juteMaxBufferBytes,
            maxClientConnectionsPerHost: configuration.maxClientConnectionsPerHost,
            fourLetterWordWhitelist: configuration.fourLetterWordWhitelist,
            superDigest: configuration.superDigest,
            clientPort: configuration.clientPort ?? 2181,
            dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir,
            tickTimeMillis: configuration.tickTimeMillis)
        self.driver = ReplicaDriver(
            eventLoop: group.next(),
            replica: Replica(configuration: replicaConfiguration, sessionSeedMillis: WallClock.millis()),
            settings: settings, logger: logger)
    }

    /// Binds the client port and serves until `shutdown` is called. Returns the bound port.
    public func start() async throws -> Int {
        guard let port = configuration.clientPort else {
            throw StartupError("no clientPort configured")
        }
        let host = configuration.clientPortAddress ?? "0.0.0.0"
        let driver = self.driver
        let channel: any Channel
        do {
            channel = try await ClientListener.bind(group: group, host: host, port: port) { channel in
                channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(driver.makeHandler())
                }
            }
        } catch {
            throw StartupError("cannot listen on \(host):\(port): \(error)")
        }
        boundChannel.withLockedValue { $0 = channel }
        driver.eventLoop.execute { driver.startTicking() }
        let boundPort = channel.localAddress?.port ?? port
        logger.info("serving clients", metadata: ["address": "\(host):\(boundPort)"])
        return boundPort
    }

    /// Waits until the listener closes.
    public func waitUntilClosed() async throws {
        guard let channel = boundChannel.withLockedValue({ $0 }) else { return }
        try await channel.closeFuture.get()
    }

    public func shutdown() async {
        if let channel = boundChannel.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        try? await group.shutdownGracefully()
    }

    private let boundChannel = NIOLockedValueBox<(any Channel)?>(nil)
}

public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
