import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryStorage
import AviaryTLS
import AviaryTransport
import AviaryWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One Aviary server, standalone or an ensemble member: recovery from the data directory, the transaction log
/// writer, the client listener and the replica driver on one event loop; for an ensemble member the election and
/// learner connections run on that loop too.
public final class Server: Sendable {
    public let configuration: ServerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let running = NIOLockedValueBox<Running?>(nil)

    private struct Running: Sendable {
        var channel: (any Channel)?
        var secureChannel: (any Channel)?
        var certificateWatchers: [RepeatedTask]
        var driver: ReplicaDriver
        var snapshots: SnapshotService
    }

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // One loop owns the replica and every client and peer channel: no locks, one input at a time, and no thread
        // to wake for each packet a peer sends (on two cores a second loop cost more in wake-ups than it saved).
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Recovers the data directory, binds the ports and starts serving (an ensemble member once it has a
    /// leader). Returns the bound client port (the TLS one when there is no plain one).
    public func start() async throws -> Int {
        let member = try ensembleMember()
        let port = member?.clientPort ?? configuration.clientPort
        guard port != nil || configuration.secureClientPort != nil else {
            throw StartupError("no clientPort or secureClientPort configured")
        }
        let tls = try ServerTLS(options: configuration.tls, logger: logger)
        // An ensemble member keeps the last txns it recovered, ZooKeeper's commitLogCount, to catch learners up by DIFF.
        let storage = try ServerStorage.open(
            configuration: configuration, keepRecentTxns: member == nil ? 0 : 500, logger: logger)
        let consensus = try member.map { try makeConsensus(myId: $0.id, storage: storage) }
        let driver = ReplicaDriver(
            eventLoop: group.next(),
            replica: Replica(
                configuration: replicaConfiguration(serverId: member?.id ?? 1), tree: storage.recovered.tree,
                restoredSessions: storage.recovered.sessions.map { ($0.id, $0.timeoutMillis) },
                sessionSeedMillis: WallClock.millis(), consensus: consensus),
            settings: clientSettings(port: port ?? 0), configuration: configuration, logger: logger)
        driver.attachStorage(
            snapshots: storage.snapshots,
            logSettings: .init(snapshotEvery: snapshotInterval, snapshotEveryBytes: snapshotSizeInterval))
        // Nothing runs on the driver's loop yet: the log can start from here.
        driver.startLog(writer: storage.writer)

        let host = configuration.clientPortAddress ?? member?.clientAddress ?? "0.0.0.0"
        var channel: (any Channel)?
        var secureChannel: (any Channel)?
        do {
            if let port {
                channel = try await bindClients(host: host, port: port, accepts: tls.clientPortAccepts, driver: driver)
            }
            if let securePort = configuration.secureClientPort, let clientTLS = tls.client {
                let secureHost = configuration.tls.secureClientPortAddress ?? host
                secureChannel = try await bindClients(
                    host: secureHost, port: securePort, accepts: .tlsOnly(clientTLS), driver: driver)
            }
        } catch {
            try? await driver.eventLoop.submit { driver.stopLog() }.get()
            throw error
        }
        running.withLockedValue {
            $0 = Running(
                channel: channel, secureChannel: secureChannel,
                certificateWatchers: tls.watchFiles(on: group.next()), driver: driver, snapshots: storage.snapshots)
        }
        if let member {
            let links = try await connectPeers(member: member, driver: driver, security: tls.quorumSecurity)
            try await driver.eventLoop.submit { driver.ensemble = links }.get()
        }
        let ensemble = member != nil
        try await driver.eventLoop.submit {
            driver.startTicking()
            if ensemble {
                driver.startClock(every: .milliseconds(50))
                driver.run(.start(now: MonotonicClock.millis()))
            }
            if self.configuration.autopurgePurgeIntervalHours > 0 {
                driver.startPurging(
                    every: .hours(Int64(self.configuration.autopurgePurgeIntervalHours)),
                    retain: self.configuration.autopurgeSnapRetainCount)
            }
        }.get()
        if let channel {
            logger.info("serving clients", metadata: ["address": "\(host):\(channel.localAddress?.port ?? 0)"])
        }
        if let secureChannel {
            logger.info("serving TLS clients", metadata: ["address": "\(secureChannel.localAddress.map { "\($0)" } ?? "?")"])
        }
        return (channel ?? secureChannel)?.localAddress?.port ?? port ?? 0
    }

    private func bindClients(
        host: String, port: Int, accepts: TLSPortGuard.Accepts, driver: ReplicaDriver
    ) async throws -> any Channel {
        let logger = self.logger
        let portName = "\(port)"
        do {
            return try await ClientListener.bind(group: group, host: host, port: port) { channel in
                channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        TLSPortGuard(accepts: accepts, portName: portName, logger: logger))
                    try channel.pipeline.syncOperations.addHandler(driver.makeHandler())
                }
            }
        } catch {
            throw StartupError("cannot listen on \(host):\(port): \(error)")
        }
    }

    // MARK: - Ensemble

    /// This server's `server.N` line when the configuration describes an ensemble; nil when standalone.
    private func ensembleMember() throws -> QuorumServer? {
        guard configuration.isEnsemble else { return nil }
        let myId = try MyIdFile.read(dataDir: configuration.dataDir)
        guard let member = configuration.server(id: myId) else {
            throw StartupError(
                "myid is \(myId), but no server.\(myId) line lists this server (listed: \(configuration.servers.map(\.id)))")
        }
        return member
    }

    private func makeConsensus(myId: Int64, storage: ServerStorage) throws -> QuorumPeer<Txn> {
        // A snapshot taken while the log was still syncing can be ahead of the log after a crash: the history this
        // server holds ends where the later of the two does (ZooKeeper votes with its tree's zxid too).
        let lastLogged = max(storage.recovered.lastLoggedZxid ?? 0, storage.recovered.lastZxid)
        let epochs: EpochFiles.Loaded
        do {
            epochs = try storage.directory.epochs.load(lastProcessedZxid: lastLogged)
        } catch {
            throw StartupError("cannot read the epoch files: \(error)")
        }
        for note in epochs.notes { logger.notice("\(note)") }
        let membership = QuorumMembership(
            participants: configuration.participants.map(\.id), observers: configuration.observers.map(\.id))
        return QuorumPeer(
            configuration: ConsensusConfiguration(
                myId: myId, membership: membership, tickTimeMillis: Int64(configuration.tickTimeMillis),
                initLimit: Int64(configuration.initLimitTicks), syncLimit: Int64(configuration.syncLimitTicks)),
            acceptedEpoch: epochs.acceptedEpoch, currentEpoch: epochs.currentEpoch, lastLoggedZxid: lastLogged,
            recentHistory: storage.recovered.recentTxns.map { ($0.zxid, $0) })
    }

    /// Binds the election and learner ports and connects the election to the other members.
    private func connectPeers(
        member: QuorumServer, driver: ReplicaDriver, security: QuorumSecurity
    ) async throws -> EnsembleLinks {
        let address = member.addresses[0]
        var peers: [Int64: ElectionAddress] = [:]
        for server in configuration.servers where server.id != member.id {
            peers[server.id] = ElectionAddress(host: server.addresses[0].host, port: server.addresses[0].electionPort)
        }
        let loop = driver.eventLoop
        let bindHost = configuration.quorumListenOnAllIPs ? "0.0.0.0" : address.host
        let election = ElectionConnectionManager(
            configuration: ElectionConfiguration(
                serverId: member.id, bindHost: bindHost, bindPort: address.electionPort,
                advertisedAddresses: [ElectionAddress(host: address.host, port: address.electionPort)], peers: peers,
                security: security),
            group: group, logger: logger
        ) { received in
            loop.execute { driver.electionReceived(received) }
        }
        do {
            _ = try await election.start()
        } catch {
            throw StartupError("cannot listen on the election port \(address.host):\(address.electionPort): \(error)")
        }
        let packetBytesMax = configuration.juteMaxBufferBytes + 1024
        let links = EnsembleLinks(
            myId: member.id, members: Dictionary(uniqueKeysWithValues: configuration.servers.map { ($0.id, $0) }),
            election: election, quorumGroup: group, packetBytesMax: packetBytesMax, security: security,
            logger: logger)
        do {
            links.listener = try await LearnerListener.bind(
                group: group, host: bindHost, port: address.quorumPort, packetBytesMax: packetBytesMax,
                security: security, logger: logger
            ) { event in
                loop.execute { driver.learnerEvent(event) }
            }
        } catch {
            await election.shutdown()
            throw StartupError("cannot listen on the quorum port \(address.host):\(address.quorumPort): \(error)")
        }
        logger.info(
            "joining the ensemble",
            metadata: [
                "myid": "\(member.id)", "participants": "\(configuration.participants.map(\.id))",
                "observers": "\(configuration.observers.map(\.id))",
            ])
        return links
    }

    // MARK: - Settings

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

    private func replicaConfiguration(serverId: Int64) -> ReplicaConfiguration {
        ReplicaConfiguration(
            serverId: serverId, tickTimeMillis: configuration.tickTimeMillis,
            minSessionTimeoutMillis: configuration.minSessionTimeoutMillis,
            maxSessionTimeoutMillis: configuration.maxSessionTimeoutMillis,
            extendedTypesEnabled: configuration.extendedTypesEnabled, superDigest: configuration.superDigest,
            containerCheckIntervalMillis: configuration.containerCheckIntervalMillis,
            containerMaxPerMinute: configuration.containerMaxPerMinute,
            readOnlyModeEnabled: configuration.readOnlyModeEnabled)
    }

    private func clientSettings(port: Int) -> ClientServiceSettings {
        ClientServiceSettings(
            maximumFrameBytes: configuration.juteMaxBufferBytes,
            maxClientConnectionsPerHost: configuration.maxClientConnectionsPerHost,
            fourLetterWordWhitelist: configuration.fourLetterWordWhitelist,
            superDigest: configuration.superDigest,
            x509SuperUser: configuration.tls.x509SuperUser,
            clientPort: port, secureClientPort: configuration.secureClientPort,
            dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir,
            tickTimeMillis: configuration.tickTimeMillis)
    }

    /// Stops accepting clients and peers, writes what the log holds, waits for background disk work, and stops.
    public func shutdown() async {
        if let state = running.withLockedValue({ $0 }) {
            for watcher in state.certificateWatchers { watcher.cancel() }
            try? await state.channel?.close()
            try? await state.secureChannel?.close()
            let links = try? await state.driver.eventLoop.submit { () -> EnsembleLinks? in
                state.driver.stopTimers()
                state.driver.stopLog()
                let links = state.driver.ensemble
                state.driver.ensemble = nil
                return links
            }.get()
            if let links { await links.close(everything: "shutting down") }
            state.snapshots.drain()
        }
        try? await group.shutdownGracefully()
    }
}

public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
