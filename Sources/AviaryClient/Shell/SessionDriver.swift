import AviaryWire
import Logging
import NIOCore
import NIOPosix

/// The I/O shell of one session: owns a `SessionStateMachine`, feeds it socket events and clock ticks, and
/// carries out the actions it returns (open and close connections, write frames, answer callers, hand events
/// to watches). It decides nothing about the protocol.
///
/// Everything here runs on one event loop, the one its connections use, so the state needs no locks; the
/// public client reaches it through `NIOLoopBound` and `EventLoop.execute`.
final class SessionDriver {
    /// How a request that leaves a watch registers it.
    enum WatchSpec {
        case register(WatchKind)
        /// exists: a data watch if the node is there, an exist watch if not.
        case exists
    }

    let eventLoop: any EventLoop
    let logger: Logger
    let chroot: Chroot
    private var machine: SessionStateMachine
    private let servers: [ServerAddress]
    private let configuration: ZooKeeperClient.Configuration
    private var channels: [ConnectionID: any Channel] = [:]
    private var replies: [RequestID: EventLoopPromise<ResponseBody>] = [:]
    /// The watch each watch-setting request carries, so its sink is released if the request fails.
    private var requestWatches: [RequestID: WatchID] = [:]
    private var sinks: [WatchID: WatchSink] = [:]
    private var stateListeners: [UInt64: AsyncStream<SessionState>.Continuation] = [:]
    private var connectedWaiters: [UInt64: EventLoopPromise<Void>] = [:]
    private var closeWaiters: [EventLoopPromise<Void>] = []
    private(set) var state: SessionState = .connecting
    private var ticker: RepeatedTask?
    private var nextIdentifier: UInt64 = 0
    /// Actions produced while others run (a close firing channelInactive, say) wait their turn here.
    private var pendingActions: CircularBuffer<SessionAction> = []
    /// Connections written to since the last flush: requests made in one turn of the loop leave in one write
    /// (many callers pipelining on one session would otherwise cost a system call each).
    private var connectionsToFlush: [ConnectionID] = []
    private var running = false
    /// Why the latest connection attempt failed or dropped (a refused port, a TLS alert), for the error a
    /// caller gets when no connection comes in time.
    var lastConnectionError: String?

    init(
        servers: [ServerAddress], chroot: Chroot, sessionTimeoutMillis: Int32,
        configuration: ZooKeeperClient.Configuration, eventLoop: any EventLoop
    ) {
        let reconnectDelay =
            configuration.reconnectDelay.map(TimeAmount.init(duration:))
            ?? .milliseconds(min(1000, max(50, Int64(sessionTimeoutMillis) / 10)))
        var machineConfiguration = SessionStateMachine.Configuration(
            serverCount: servers.count, requestedTimeoutMillis: sessionTimeoutMillis, reconnectDelay: reconnectDelay)
        machineConfiguration.requestBytesMax = configuration.requestBytesMax
        machineConfiguration.queuedRequestsMax = configuration.queuedRequestsMax
        self.machine = SessionStateMachine(configuration: machineConfiguration)
        self.servers = servers
        self.chroot = chroot
        self.configuration = configuration
        self.logger = configuration.logger
        self.eventLoop = eventLoop
    }

    var sessionId: Int64 { machine.sessionId }
    var negotiatedTimeoutMillis: Int32 { machine.negotiatedTimeoutMillis }

    private var bound: NIOLoopBound<SessionDriver> { NIOLoopBound(self, eventLoop: eventLoop) }

    /// Ticks often enough to notice a silent server well within the read timeout, rarely enough to cost
    /// nothing: a twentieth of the session timeout, between 10 ms and 250 ms.
    private var tickInterval: TimeAmount {
        .milliseconds(min(250, max(10, Int64(machine.configuration.requestedTimeoutMillis) / 20)))
    }

    private func allocateIdentifier() -> UInt64 {
        nextIdentifier += 1
        return nextIdentifier
    }

    // MARK: Calls from the client

    func start() {
        let bound = self.bound
        let interval = tickInterval
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in bound.value.tick() }
        run(machine.start(now: .now()))
    }

    /// Sends `request`; `serverPath` and `watch` describe the watch it leaves, if any.
    func submit(
        _ request: ClientRequest, promise: EventLoopPromise<ResponseBody>,
        watch: (spec: WatchSpec, serverPath: String, sink: WatchSink)? = nil
    ) {
        let id = RequestID(rawValue: allocateIdentifier())
        replies[id] = promise
        var effect = ReplyEffect.none
        if let watch {
            let watchID = WatchID(rawValue: allocateIdentifier())
            sinks[watchID] = watch.sink
            requestWatches[id] = watchID
            switch watch.spec {
            case .exists: effect = .exists(watchID, path: watch.serverPath)
            case .register(let kind): effect = .register(watchID, kind, path: watch.serverPath)
            }
            if case .persistent(let continuation) = watch.sink {
                let bound = self.bound
                let loop = eventLoop
                continuation.onTermination = { _ in loop.execute { bound.value.dropWatch(watchID) } }
            }
        }
        run(machine.submit(request, id: id, effect: effect, now: .now()))
    }

    func removeWatches(serverPath: String, type: WatcherType, promise: EventLoopPromise<ResponseBody>) {
        let id = RequestID(rawValue: allocateIdentifier())
        replies[id] = promise
        let kinds = WatchKind.kinds(removedBy: type)
        if type == .persistent || type == .persistentRecursive {
            run(machine.removePersistentWatches(path: serverPath, kinds: kinds, id: id, now: .now()))
        } else {
            let request = ClientRequest.removeWatches(PathTypeRequest(path: serverPath, type: type.rawValue))
            run(machine.submit(request, id: id, effect: .removeWatches(path: serverPath, kinds: kinds), now: .now()))
        }
    }

    func addAuth(_ packet: AuthPacket, promise: EventLoopPromise<ResponseBody>) {
        let id = RequestID(rawValue: allocateIdentifier())
        replies[id] = promise
        run(machine.addAuth(packet, id: id, now: .now()))
    }

    func close(promise: EventLoopPromise<Void>?) {
        if state.isTerminal {
            promise?.succeed()
            return
        }
        if let promise { closeWaiters.append(promise) }
        run(machine.close(now: .now()))
    }

    /// Succeeds once the session is connected; fails when it ends first or `timeout` passes.
    func waitUntilConnected(promise: EventLoopPromise<Void>, timeout: TimeAmount?) {
        if state == .connected {
            promise.succeed()
            return
        }
        if state.isTerminal {
            promise.fail(Self.error(for: state))
            return
        }
        let id = allocateIdentifier()
        connectedWaiters[id] = promise
        if let timeout {
            let bound = self.bound
            eventLoop.scheduleTask(in: timeout) {
                let driver = bound.value
                let cause = driver.lastConnectionError.map { "; last error: \($0)" } ?? ""
                driver.connectedWaiters.removeValue(forKey: id)?.fail(
                    ZooKeeperError(.connectionLoss, detail: "not connected within \(timeout)\(cause)"))
            }
        }
    }

    func addStateListener(_ continuation: AsyncStream<SessionState>.Continuation) {
        continuation.yield(state)
        if state.isTerminal {
            continuation.finish()
            return
        }
        let id = allocateIdentifier()
        stateListeners[id] = continuation
        let bound = self.bound
        let loop = eventLoop
        continuation.onTermination = { _ in loop.execute { bound.value.stateListeners[id] = nil } }
    }

    private func dropWatch(_ id: WatchID) {
        sinks[id] = nil
        run(machine.dropWatch(id, now: .now()))
    }

    // MARK: Events from connections and the clock

    func frameReceived(_ frame: ByteBuffer, on connection: ConnectionID) {
        run(machine.frameReceived(connection, frame, now: .now()))
    }

    func transportClosed(_ connection: ConnectionID) {
        channels[connection] = nil
        run(machine.transportClosed(connection, now: .now()))
    }

    private func tick() {
        run(machine.tick(now: .now()))
    }

    private func connectCompleted(_ connection: ConnectionID, _ result: Result<any Channel, any Error>) {
        switch result {
        case .success(let channel):
            channels[connection] = channel
            run(machine.transportConnected(connection, now: .now()))
        case .failure(let error):
            logger.debug("connect failed", metadata: ["connection": "\(connection)", "error": "\(error)"])
            lastConnectionError = "\(error)"
            run(machine.transportFailed(connection, now: .now()))
        }
    }
}

// MARK: - Carrying out actions

extension SessionDriver {
    private func flushSoon(_ connection: ConnectionID) {
        if connectionsToFlush.isEmpty {
            let bound = self.bound
            eventLoop.execute { bound.value.flushWrites() }
        }
        if !connectionsToFlush.contains(connection) { connectionsToFlush.append(connection) }
    }

    private func flushWrites() {
        for connection in connectionsToFlush { channels[connection]?.flush() }
        connectionsToFlush.removeAll()
    }

    private func run(_ actions: [SessionAction]) {
        pendingActions.append(contentsOf: actions)
        guard !running else { return }
        running = true
        defer { running = false }
        while let action = pendingActions.popFirst() {
            execute(action)
        }
    }

    private func execute(_ action: SessionAction) {
        switch action {
        case .connect(let connection, let serverIndex, let timeout):
            open(connection, to: servers[serverIndex], timeout: timeout)
        case .send(let connection, let frames):
            guard let channel = channels[connection] else { break }
            channel.write(frames, promise: nil)
            flushSoon(connection)
        case .close(let connection):
            let channel = channels.removeValue(forKey: connection)
            channel?.flush()
            channel?.close(promise: nil)
        case .complete(let id, let result):
            complete(id, result)
        case .deliver(let event, let deliveries):
            deliver(event, to: deliveries)
        case .sessionState(let newState):
            stateChanged(to: newState)
        case .endWatches(let ids, let reason):
            for id in ids {
                switch sinks.removeValue(forKey: id) {
                case .oneShot(let promise): promise.fail(ZooKeeperError(reason.errorCode))
                case .persistent(let continuation):
                    if reason == .closed {
                        continuation.finish()
                    } else {
                        continuation.finish(throwing: ZooKeeperError(reason.errorCode))
                    }
                case nil: break
                }
            }
        }
    }

    private func open(_ connection: ConnectionID, to server: ServerAddress, timeout: TimeAmount) {
        logger.debug("connecting", metadata: ["server": "\(server)", "connection": "\(connection)"])
        let bound = self.bound
        let prepare = configuration.channelInitializer
        let frameBytesMax = configuration.replyBytesMax
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                prepare(channel, server).flatMapThrowing {
                    let framing = ByteToMessageHandler(JuteFrameDecoder(maximumFrameBytes: frameBytesMax))
                    try channel.pipeline.syncOperations.addHandler(framing)
                    try channel.pipeline.syncOperations.addHandler(
                        ClientChannelHandler(connection: connection, driver: bound))
                }
            }
            .connect(host: server.host, port: server.port)
            .whenComplete { result in bound.value.connectCompleted(connection, result) }
    }

    private func complete(_ id: RequestID, _ result: Result<ResponseBody, RequestFailure>) {
        let promise = replies.removeValue(forKey: id)
        if let watchID = requestWatches.removeValue(forKey: id), machine.watches.registration(watchID) == nil,
            let sink = sinks.removeValue(forKey: watchID)
        {
            // The request left no watch (it failed, or the session ended first): nothing will ever fire it.
            let code: KeeperError =
                switch result {
                case .failure(let failure): failure.code
                case .success: .systemError
                }
            switch sink {
            case .oneShot(let watchPromise): watchPromise.fail(ZooKeeperError(code))
            case .persistent(let continuation): continuation.finish(throwing: ZooKeeperError(code))
            }
        }
        switch result {
        case .success(let body): promise?.succeed(body)
        case .failure(let failure): promise?.fail(failure)
        }
    }

    private func deliver(_ serverEvent: WatchEvent, to deliveries: [WatchDelivery]) {
        var event = serverEvent
        if !event.path.isEmpty { event.path = chroot.clientPath(event.path) }
        for delivery in deliveries {
            let sink = delivery.isFinal ? sinks.removeValue(forKey: delivery.id) : sinks[delivery.id]
            switch sink {
            case .oneShot(let promise):
                promise.succeed(event)
            case .persistent(let continuation):
                switch continuation.yield(event) {
                case .enqueued:
                    if delivery.isFinal { continuation.finish() }
                case .dropped:
                    // The consumer fell too far behind: better a loud end than silently missing events.
                    sinks[delivery.id] = nil
                    continuation.finish(
                        throwing: ZooKeeperError(.systemError, detail: "persistent watch consumer fell behind"))
                    run(machine.dropWatch(delivery.id, now: .now()))
                case .terminated:
                    sinks[delivery.id] = nil
                    run(machine.dropWatch(delivery.id, now: .now()))
                @unknown default:
                    break
                }
            case nil:
                break
            }
        }
    }

    private func stateChanged(to newState: SessionState) {
        guard newState != state else { return }
        state = newState
        logger.info(
            "session \(newState)",
            metadata: ["session": "0x\(String(UInt64(bitPattern: machine.sessionId), radix: 16))"])
        for key in stateListeners.keys.sorted() {
            stateListeners[key]?.yield(newState)
        }
        if newState == .connected {
            let waiters = connectedWaiters
            connectedWaiters = [:]
            for key in waiters.keys.sorted() { waiters[key]?.succeed() }
        }
        guard newState.isTerminal else { return }
        let error = Self.error(for: newState)
        let waiters = connectedWaiters
        connectedWaiters = [:]
        for key in waiters.keys.sorted() { waiters[key]?.fail(error) }
        let listeners = stateListeners
        stateListeners = [:]
        for key in listeners.keys.sorted() { listeners[key]?.finish() }
        ticker?.cancel()
        ticker = nil
        for channel in channels.values { channel.close(promise: nil) }
        channels = [:]
        let closers = closeWaiters
        closeWaiters = []
        for promise in closers { promise.succeed() }
    }

    static func error(for state: SessionState) -> ZooKeeperError {
        switch state {
        case .authFailed: ZooKeeperError(.authFailed)
        case .closed: ZooKeeperError(.sessionExpired, detail: "client closed")
        default: ZooKeeperError(.sessionExpired)
        }
    }
}
