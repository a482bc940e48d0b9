import AviaryDataTree
import AviaryReplica
import AviaryStorage
import AviaryTransport
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A single Aviary server: recovery from the data directory, the transaction log writer, the client listener
/// and the replica driver on one event loop.
public final class StandaloneServer: Sendable {
    public let configuration: ServerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let running = NIOLockedValueBox<Running?>(nil)

    private struct Running: Sendable {
        var channel: any Channel
        var driver: ReplicaDriver
        var log: TransactionLogService
        var snapshots: SnapshotService
    }

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // One loop owns the replica and every client channel: no locks, no hops, one input at a time.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Recovers the data directory, binds the client port and starts serving. Returns the bound port.
    public func start() async throws -> Int {
        guard let port = configuration.clientPort else {
            throw StartupError("no clientPort configured")
        }
        let storage = try openStorage()
        let driver = ReplicaDriver(
            eventLoop: group.next(),
            replica: Replica(
                configuration: replicaConfiguration, tree: storage.recovered.tree,
                restoredSessions: storage.recovered.sessions.map { ($0.id, $0.timeoutMillis) },
                sessionSeedMillis: WallClock.millis()),
            settings: clientSettings, logger: logger)
        let log = TransactionLogService(
            writer: storage.writer, logger: logger, snapshotEvery: snapshotInterval,
            snapshotEveryBytes: snapshotSizeInterval,
            callbacks: .init(
                durable: { zxid in driver.eventLoop.execute { driver.logDidPersist(through: zxid) } },
                rolled: { driver.eventLoop.execute { driver.logDidRoll() } },
                failed: { error in driver.eventLoop.execute { driver.logDidFail(error) } }))
        driver.attachStorage(log: log, snapshots: storage.snapshots)
        log.start()

        let host = configuration.clientPortAddress ?? "0.0.0.0"
        let channel: any Channel
        do {
            channel = try await ClientListener.bind(group: group, host: host, port: port) { channel in
                channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(driver.makeHandler())
                }
            }
        } catch {
            log.stop()
            throw StartupError("cannot listen on \(host):\(port): \(error)")
        }
        running.withLockedValue { $0 = Running(channel: channel, driver: driver, log: log, snapshots: storage.snapshots) }
        driver.eventLoop.execute {
            driver.startTicking()
            if self.configuration.autopurgePurgeIntervalHours > 0 {
                driver.startPurging(
                    every: .hours(Int64(self.configuration.autopurgePurgeIntervalHours)),
                    retain: self.configuration.autopurgeSnapRetainCount)
            }
        }
        let boundPort = channel.localAddress?.port ?? port
        logger.info("serving clients", metadata: ["address": "\(host):\(boundPort)"])
        return boundPort
    }

    private struct OpenedStorage {
        var recovered: RecoveredState
        var writer: TxnLogWriter
        var snapshots: SnapshotService
    }

    private func openStorage() throws -> OpenedStorage {
        let started = ContinuousClock.now
        let directory: DataDirectory
        let recovered: RecoveredState
        do {
            directory = try DataDirectory(dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir)
            recovered = try directory.recover()
        } catch {
            throw StartupError("cannot recover the data directory: \(error)")
        }
        for note in recovered.notes {
            logger.notice("\(note)")
        }
        logger.info(
            "recovered data directory",
            metadata: [
                "zxid": "0x\(String(recovered.lastZxid, radix: 16))", "nodes": "\(recovered.tree.nodeCount)",
                "sessions": "\(recovered.sessions.count)", "replayed": "\(recovered.replayedTxnCount)",
                "elapsed": "\(ContinuousClock.now - started)",
            ])
        if !configuration.forceSync {
            logger.warning("forceSync=no: acknowledged writes can be lost if the machine fails")
        }
        let snapshots = SnapshotService(
            directory: directory, compression: snapshotCompression,
            compressSealedSegments: configuration.txnLogCompression, logger: logger)
        if recovered.snapshotPath == nil {
            // Like ZooKeeper, start every history from a snapshot, so later recoveries know where it begins.
            try snapshots.snapshotNow(tree: recovered.tree, sessions: recovered.sessions.map { ($0.id, $0.timeoutMillis) })
        } else {
            // A previous run may have stopped before compressing what its last snapshot made unnecessary.
            snapshots.compressSegmentsNotNeeded(after: recovered.snapshotZxid)
        }
        let writer: TxnLogWriter
        do {
            writer = try TxnLogWriter(
                directory: directory.logDirectory, preallocationBytes: configuration.preAllocSizeKB * 1024,
                forceSync: configuration.forceSync, lastLoggedZxid: recovered.lastLoggedZxid ?? recovered.lastZxid)
        } catch {
            throw StartupError("cannot open the transaction log: \(error)")
        }
        return OpenedStorage(recovered: recovered, writer: writer, snapshots: snapshots)
    }

    private var snapshotCompression: AviaryStorage.SnapshotCompression {
        switch configuration.snapshotCompression {
        case .none: .none
        case .gzip: .gzip
        case .snappy: .gzip
        }
    }

    /// ZooKeeper's randomised snapshot point: somewhere in the upper half of snapCount.
    private var snapshotInterval: @Sendable () -> Int {
        let snapCount = max(2, configuration.snapCount)
        return { snapCount / 2 + Int.random(in: 1...max(1, snapCount / 2)) }
    }

    /// The same for log bytes (`snapSizeLimitInKb`), or nil when the size trigger is off.
    private var snapshotSizeInterval: @Sendable () -> Int64? {
        let limit = Int64(configuration.snapSizeLimitKB) * 1024
        return { limit == 0 ? nil : limit / 2 + Int64.random(in: 0...(limit / 2)) }
    }

    private var replicaConfiguration: ReplicaConfiguration {
        ReplicaConfiguration(
            serverId: 1, tickTimeMillis: configuration.tickTimeMillis,
            minSessionTimeoutMillis: configuration.minSessionTimeoutMillis,
            maxSessionTimeoutMillis: configuration.maxSessionTimeoutMillis,
            extendedTypesEnabled: configuration.extendedTypesEnabled, superDigest: configuration.superDigest,
            containerCheckIntervalMillis: configuration.containerCheckIntervalMillis,
            containerMaxPerMinute: configuration.containerMaxPerMinute)
    }

    private var clientSettings: ClientServiceSettings {
        ClientServiceSettings(
            maximumFrameBytes: configuration.juteMaxBufferBytes,
            maxClientConnectionsPerHost: configuration.maxClientConnectionsPerHost,
            fourLetterWordWhitelist: configuration.fourLetterWordWhitelist,
            superDigest: configuration.superDigest,
            clientPort: configuration.clientPort ?? 2181,
            dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir,
            tickTimeMillis: configuration.tickTimeMillis)
    }

    /// Stops accepting clients, writes what the log holds, waits for background disk work, and stops.
    public func shutdown() async {
        if let state = running.withLockedValue({ $0 }) {
            try? await state.channel.close()
            try? await state.driver.eventLoop.submit { state.driver.stopTimers() }.get()
            state.log.stop()
            state.snapshots.drain()
        }
        try? await group.shutdownGracefully()
    }
}

public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
