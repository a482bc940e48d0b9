import AviaryDataTree
import AviaryReplica
import AviaryStorage
import AviaryTransport
import AviaryWire
import Logging
import NIOCore

/// The settings the client-facing side needs.
struct ClientServiceSettings: Sendable {
    var maximumFrameBytes: Int
    var maxClientConnectionsPerHost: Int
    var fourLetterWordWhitelist: Set<String>
    var superDigest: String?
    /// `X509AuthenticationProvider.superUser`: a client certificate with this subject gets `super`.
    var x509SuperUser: String? = nil
    var clientPort: Int
    var secureClientPort: Int? = nil
    var dataDir: String
    var dataLogDir: String
    var tickTimeMillis: Int
}

/// Owns the Replica and carries out its effects. Confined to one event loop: every client channel and the
/// tick timer run on that loop, so the replica is fed one input at a time and never awaited mid-step.
final class ReplicaDriver: @unchecked Sendable {
    let eventLoop: any EventLoop
    let settings: ClientServiceSettings
    let configuration: ServerConfiguration
    let logger: Logger
    let startMillis: Int64
    var replica: Replica
    private(set) var connections: [ConnectionID: ClientConnection] = [:]
    private var connectionCountByAddress: [String: Int] = [:]
    private var nextConnectionID: ConnectionID = 1
    var statistics = ServerStatistics()
    private var tickTask: RepeatedTask?
    private var purgeTask: RepeatedTask?
    private(set) var transactionLog: TransactionLogService?
    private(set) var snapshots: SnapshotService?
    private var logSettings: LogSettings?
    /// Counts log writers: reports from one that was replaced (after a truncation or a SNAP) are ignored.
    private var logGeneration = 0
    /// The peers of an ensemble member; nil when standalone.
    var ensemble: EnsembleLinks?
    private var clockTask: RepeatedTask?
    /// Set when the log cannot be written: from then on the server answers reads only.
    private(set) var storageFailure: String?
    /// Client requests read and not yet answered, on every connection.
    var awaitingReplies = 0
    /// The connection that sent the last request, and how many requests it has sent in a row, each while no
    /// other request awaited its reply.
    var lastRequester: ConnectionID = 0
    var loneRequestStreak = 0

    init(
        eventLoop: any EventLoop, replica: Replica, settings: ClientServiceSettings, configuration: ServerConfiguration,
        logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.replica = replica
        self.settings = settings
        self.configuration = configuration
        self.logger = logger
        self.startMillis = WallClock.millis()
    }

    func startTicking() {
        let interval = TimeAmount.milliseconds(Int64(settings.tickTimeMillis))
        tickTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            run(.tick)
            flushWrittenConnections()
        }
    }

    /// Feeds the consensus core's clock: elections, heartbeats and learner deadlines are finer than tickTime.
    func startClock(every interval: TimeAmount) {
        clockTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            run(.clock(now: MonotonicClock.millis()))
            flushWrittenConnections()
        }
    }

    /// Stops the timers, so nothing new reaches the log once shutdown begins.
    func stopTimers() {
        tickTask?.cancel()
        purgeTask?.cancel()
        clockTask?.cancel()
    }

    /// How the log service is built, each time a writer is (re)opened.
    struct LogSettings: Sendable {
        var snapshotEvery: @Sendable () -> Int
        var snapshotEveryBytes: @Sendable () -> Int64?
    }

    func attachStorage(snapshots: SnapshotService, logSettings: LogSettings) {
        self.snapshots = snapshots
        self.logSettings = logSettings
    }

    /// Starts the log service on `writer`, replacing any previous one (which must be stopped).
    func startLog(writer: TxnLogWriter) {
        guard let logSettings else { preconditionFailure("attachStorage first") }
        logGeneration += 1
        let generation = logGeneration
        let log = TransactionLogService(
            writer: writer, logger: logger, snapshotEvery: logSettings.snapshotEvery,
            snapshotEveryBytes: logSettings.snapshotEveryBytes,
            callbacks: .init(
                durable: { [self] zxid in
                    eventLoop.execute { if self.logGeneration == generation { self.logDidPersist(through: zxid) } }
                },
                rolled: { [self] in
                    eventLoop.execute { if self.logGeneration == generation { self.logDidRoll() } }
                },
                failed: { [self] error in
                    eventLoop.execute { if self.logGeneration == generation { self.logDidFail(error) } }
                }))
        transactionLog = log
        log.start()
    }

    /// Writes what the log holds and stops its thread (shutdown, or before the files change under it).
    func stopLog() {
        transactionLog?.stop()
        transactionLog = nil
        logGeneration += 1
    }

    func startPurging(every interval: TimeAmount, retain: Int) {
        let snapshots = self.snapshots
        purgeTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            snapshots?.purge(retainSnapshots: retain)
        }
    }

    func logDidPersist(through zxid: Int64) {
        run(.logAppended(through: zxid))
        flushWrittenConnections()
    }

    /// Connections written to since the last flush.
    var pendingFlush: [ClientConnection] = []

    func flushWrittenConnections() {
        for connection in pendingFlush where connections[connection.id] === connection {
            connection.flushIfNeeded()
        }
        pendingFlush.removeAll(keepingCapacity: true)
    }

    /// The log started a new segment: snapshot the tree as it is now. Once written, segments older than the
    /// snapshot are compressed.
    func logDidRoll() {
        snapshots?.snapshot(tree: replica.tree, sessions: replica.sessionTimeouts)
    }

    /// Nothing more can be made durable. Writes already in flight will never be acknowledged: their clients are
    /// disconnected so they learn the outcome is unknown, and new writes are refused.
    func logDidFail(_ error: any Error) {
        storageFailure = "\(error)"
        logger.critical("transaction log failed; serving reads only until restarted", metadata: ["error": "\(error)"])
        for connection in connections.values where connection.arrivals.count > 0 {
            connection.closeAfterFlush()
        }
    }

    /// Builds the handler for a new client channel; must run on the driver's loop.
    func makeHandler() -> ClientFrameHandler {
        ClientFrameHandler(maximumFrameBytes: settings.maximumFrameBytes) { [self] event, context in
            handle(event, context: context)
        }
    }

    private func handle(_ event: ClientConnectionEvent, context: ChannelHandlerContext) {
        eventLoop.assertInEventLoop()
        switch event {
        case .opened(let address):
            opened(context: context, address: address)
        case .fourLetterWord(let word):
            answerFourLetterWord(word, context: context)
        case .frame(let frame):
            guard let connection = connection(for: context) else { return }
            received(frame, on: connection)
        case .malformed(let reason):
            if let connection = connection(for: context) {
                logger.warning("closing client connection", metadata: ["client": "\(connection.remoteDescription)", "reason": "\(reason)"])
            }
        case .readComplete:
            flushWrittenConnections()
            awaitLoneWrite()
        case .closed:
            guard let connection = connection(for: context) else { return }
            connections[connection.id] = nil
            requestsAbandoned(on: connection)
            connectionIDs[ObjectIdentifier(context.channel)] = nil
            connectionCountByAddress[connection.address, default: 1] -= 1
            if connectionCountByAddress[connection.address] == 0 { connectionCountByAddress[connection.address] = nil }
            run(.disconnected(connection.id))
        }
    }

    private func connection(for context: ChannelHandlerContext) -> ClientConnection? {
        guard let id = connectionIDs[ObjectIdentifier(context.channel)] else { return nil }
        return connections[id]
    }

    private func opened(context: ChannelHandlerContext, address: String) {
        let limit = settings.maxClientConnectionsPerHost
        if limit > 0, connectionCountByAddress[address, default: 0] >= limit {
            statistics.connectionsRejected += 1
            logger.warning("Too many connections from \(address) - max is \(limit)")
            context.close(promise: nil)
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        connectionIDs[ObjectIdentifier(context.channel)] = id
        let handler = try! context.pipeline.syncOperations.handler(type: ClientFrameHandler.self)
        connections[id] = ClientConnection(id: id, context: context, handler: handler, address: address)
        connectionCountByAddress[address, default: 0] += 1
    }

    /// Channels are classes, so their identity names the connection while it is open.
    private var connectionIDs: [ObjectIdentifier: ConnectionID] = [:]
}
