import AviaryWire
import NIOCore

/// The client side of a ZooKeeper session as a value state machine: inputs in, `SessionAction`s out, no I/O.
///
/// Terms (as in ZooKeeper's `ClientCnxn`): a *session* outlives *connections*; the client re-attaches it to
/// any server of its list with the id and password the first server handed out. *xid*s number requests on a
/// session; replies come back in request order, so the pending table is a FIFO checked against each reply's
/// xid. Special xids bypass the table: -1 notifications, -2 pings, -4 auth replies (answered out of order by
/// the server) and -8 setWatches replies.
///
/// Time enters as `now` on every input (the shell ticks it); nothing here reads a clock. Rules it follows:
/// - ping when nothing was sent for a third of the negotiated timeout;
/// - give up a connection when nothing was received for two thirds of it (the server may be gone), and a
///   connection attempt after `timeout / serverCount`, the Java client's read and connect timeouts;
/// - after losing a connection try the next server at once; after every server failed in a row, wait
///   `reconnectDelay` before the next pass;
/// - a handshake answered with timeout 0 means the session expired: fail everything, end;
/// - on re-attach, re-arm watches first (`setWatches`/`setWatches2`, relative to the last zxid seen), then
///   re-send credentials, then requests queued while disconnected.
///
/// Deviation from the Java client: a request made while disconnected is queued, not failed, because it was
/// never sent and so cannot have been applied; it fails with `connectionLoss` only if no connection comes
/// within a session timeout. Requests already sent when a connection drops fail with `connectionLoss`, as in
/// Java, since the client cannot know whether the server applied them.
struct SessionStateMachine: Sendable {
    struct Configuration: Sendable {
        var serverCount: Int
        var requestedTimeoutMillis: Int32
        /// The pause after every server of the list failed in a row.
        var reconnectDelay: TimeAmount
        /// Requests whose frame is longer are refused without sending (the server would drop the connection).
        var requestBytesMax: Int = 1_048_575
        /// Requests waiting for a connection; more fail at once.
        var queuedRequestsMax: Int = 10_000
        var setWatchesBytesMax: Int = SetWatchesPlanner.defaultBytesMax

        init(serverCount: Int, requestedTimeoutMillis: Int32, reconnectDelay: TimeAmount) {
            precondition(serverCount > 0, "no servers")
            precondition(requestedTimeoutMillis > 0, "session timeout must be positive")
            self.serverCount = serverCount
            self.requestedTimeoutMillis = requestedTimeoutMillis
            self.reconnectDelay = reconnectDelay
        }
    }

    struct Attempt: Sendable, Hashable {
        var connection: ConnectionID
        var serverIndex: Int
        var startedAt: NIODeadline
    }

    enum Phase: Sendable, Hashable {
        case idle
        /// The transport is opening.
        case connecting(Attempt)
        /// ConnectRequest sent; waiting for the ConnectResponse.
        case handshaking(Attempt)
        case connected(Attempt)
        case waitingToReconnect(until: NIODeadline)
        /// closeSession sent; waiting for its reply.
        case closing(Attempt, deadline: NIODeadline)
        case ended(SessionEnd)
    }

    struct SentRequest: Sendable {
        var xid: Int32
        var opCode: OpCode
        var id: RequestID?
        var effect: ReplyEffect
    }

    struct QueuedRequest: Sendable {
        var request: ClientRequest
        var id: RequestID
        var effect: ReplyEffect
        var queuedAt: NIODeadline
    }

    let configuration: Configuration
    private(set) var phase: Phase = .idle
    private(set) var sessionId: Int64 = 0
    private(set) var password = [UInt8](repeating: 0, count: 16)
    private(set) var negotiatedTimeoutMillis: Int32 = 0
    // Internal rather than private: the reply handlers live in SessionStateMachine+Replies.swift.
    var lastZxidSeen: Int64 = 0
    var watches = WatchRegistry()
    private var nextXid: Int32 = 1
    private var nextConnection: UInt64 = 0
    private var lastServerIndex: Int
    private var failedAttemptsInARow = 0
    var sent = CircularBuffer<SentRequest>()
    private var queued = CircularBuffer<QueuedRequest>()
    /// Every credential given to addAuth, re-sent on each connection as the Java client does.
    private var authPackets: [AuthPacket] = []
    /// Auth replies expected on the current connection, oldest first: which packet, and who waits for it.
    var authReplies = CircularBuffer<(packet: Int, id: RequestID?)>()
    /// Callers whose credentials are still to be sent (added while disconnected, or lost with a connection).
    private var authWaiting: [(packet: Int, id: RequestID)] = []
    private var lastSentAt = NIODeadline.uptimeNanoseconds(0)
    private var lastReceivedAt = NIODeadline.uptimeNanoseconds(0)

    init(configuration: Configuration) {
        self.configuration = configuration
        // The first attempt goes to server 0: the shell shuffles the list if it wants spreading.
        self.lastServerIndex = configuration.serverCount - 1
    }

    // MARK: Derived timing

    /// The timeout the server granted, or the requested one before any server answered.
    var timeoutMillis: Int64 {
        Int64(negotiatedTimeoutMillis > 0 ? negotiatedTimeoutMillis : configuration.requestedTimeoutMillis)
    }
    var readTimeout: TimeAmount { .milliseconds(timeoutMillis * 2 / 3) }
    var pingInterval: TimeAmount { .milliseconds(timeoutMillis / 3) }
    var connectTimeout: TimeAmount { .milliseconds(max(1, timeoutMillis / Int64(configuration.serverCount))) }

    var currentAttempt: Attempt? {
        switch phase {
        case .connecting(let attempt), .handshaking(let attempt), .connected(let attempt), .closing(let attempt, _):
            attempt
        case .idle, .waitingToReconnect, .ended:
            nil
        }
    }

    var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    var pendingCount: Int { sent.count + queued.count }

    // MARK: Inputs

    mutating func start(now: NIODeadline) -> [SessionAction] {
        guard case .idle = phase else { return [] }
        var out = Output()
        connectToNextServer(now: now, out: &out)
        return out.finish()
    }

    mutating func transportConnected(_ connection: ConnectionID, now: NIODeadline) -> [SessionAction] {
        guard case .connecting(let attempt) = phase, attempt.connection == connection else {
            return [.close(connection)]
        }
        var out = Output()
        phase = .handshaking(attempt)
        let request = ConnectRequest(
            lastZxidSeen: lastZxidSeen, timeOutMillis: configuration.requestedTimeoutMillis, sessionId: sessionId,
            passwd: password)
        out.write(connection) { buffer in buffer.writeJuteFrame { request.encode(to: &$0) } }
        lastSentAt = now
        return out.finish()
    }

    mutating func transportFailed(_ connection: ConnectionID, now: NIODeadline) -> [SessionAction] {
        transportClosed(connection, now: now)
    }

    mutating func transportClosed(_ connection: ConnectionID, now: NIODeadline) -> [SessionAction] {
        guard currentAttempt?.connection == connection else { return [] }
        var out = Output()
        connectionLost(now: now, out: &out)
        return out.finish()
    }

    mutating func frameReceived(_ connection: ConnectionID, _ frame: ByteBuffer, now: NIODeadline) -> [SessionAction] {
        guard currentAttempt?.connection == connection else { return [] }
        var out = Output()
        lastReceivedAt = now
        switch phase {
        case .handshaking(let attempt):
            handshakeAnswered(frame, attempt: attempt, now: now, out: &out)
        case .connected, .closing:
            replyReceived(frame, now: now, out: &out)
        case .idle, .connecting, .waitingToReconnect, .ended:
            break
        }
        return out.finish()
    }

    mutating func tick(now: NIODeadline) -> [SessionAction] {
        var out = Output()
        switch phase {
        case .connecting(let attempt), .handshaking(let attempt):
            if now - attempt.startedAt >= connectTimeout { connectionLost(now: now, out: &out) }
        case .connected(let attempt):
            if now - lastReceivedAt > readTimeout {
                connectionLost(now: now, out: &out)
            } else if now - lastSentAt >= pingInterval {
                write(.ping, xid: SpecialXid.ping, to: attempt.connection, out: &out)
                lastSentAt = now
            }
        case .waitingToReconnect(let until):
            if now >= until { connectToNextServer(now: now, out: &out) }
        case .closing(_, let deadline):
            if now >= deadline { end(.closed, out: &out) }
        case .idle, .ended:
            break
        }
        if !isConnected { expireQueuedRequests(now: now, out: &out) }
        return out.finish()
    }

    mutating func submit(
        _ request: ClientRequest, id: RequestID, effect: ReplyEffect = .none, now: NIODeadline
    ) -> [SessionAction] {
        var out = Output()
        switch phase {
        case .connected(let attempt):
            send(request, id: id, effect: effect, to: attempt.connection, now: now, out: &out)
        case .ended(let reason):
            out.actions.append(.complete(id, .failure(RequestFailure(reason.errorCode))))
        case .closing:
            out.actions.append(.complete(id, .failure(RequestFailure(.sessionExpired))))
        case .idle, .connecting, .handshaking, .waitingToReconnect:
            if queued.count >= configuration.queuedRequestsMax {
                out.actions.append(.complete(id, .failure(RequestFailure(.connectionLoss))))
            } else {
                queued.append(QueuedRequest(request: request, id: id, effect: effect, queuedAt: now))
            }
        }
        return out.finish()
    }

    mutating func addAuth(_ packet: AuthPacket, id: RequestID, now: NIODeadline) -> [SessionAction] {
        var out = Output()
        switch phase {
        case .ended(let reason):
            out.actions.append(.complete(id, .failure(RequestFailure(reason.errorCode))))
        case .closing:
            out.actions.append(.complete(id, .failure(RequestFailure(.sessionExpired))))
        case .connected(let attempt):
            authPackets.append(packet)
            sendAuth(authPackets.count - 1, id: id, to: attempt.connection, now: now, out: &out)
        case .idle, .connecting, .handshaking, .waitingToReconnect:
            authPackets.append(packet)
            authWaiting.append((authPackets.count - 1, id))
        }
        return out.finish()
    }

    /// A persistent watch's consumer went away. Its registration is dropped; the server's watch is removed
    /// too when nothing else of this client watches the path (removal by path is all the protocol offers).
    mutating func dropWatch(_ id: WatchID, now: NIODeadline) -> [SessionAction] {
        guard let (_, path) = watches.remove(id) else { return [] }
        var out = Output()
        removeServerWatchesIfUnused(path: path, now: now, out: &out)
        return out.finish()
    }

    /// Removes persistent registrations locally: ZooKeeper 3.8 servers cannot remove them by type, so the
    /// server-side watch goes (type `any`) only when nothing else of this client watches the path.
    mutating func removePersistentWatches(
        path: String, kinds: [WatchKind], id: RequestID, now: NIODeadline
    ) -> [SessionAction] {
        var out = Output()
        let removed = watches.removeAll(path: path, kinds: kinds)
        deliverRemovals(removed, path: path, out: &out)
        if removed.isEmpty {
            out.actions.append(.complete(id, .failure(RequestFailure(.noWatcher))))
        } else {
            out.actions.append(.complete(id, .success(.empty)))
            removeServerWatchesIfUnused(path: path, now: now, out: &out)
        }
        return out.finish()
    }

    mutating func close(now: NIODeadline) -> [SessionAction] {
        var out = Output()
        switch phase {
        case .connected(let attempt):
            failQueued(.sessionExpired, out: &out)
            let xid = allocateXid()
            write(.closeSession, xid: xid, to: attempt.connection, out: &out)
            sent.append(SentRequest(xid: xid, opCode: .closeSession, id: nil, effect: .closeSession))
            lastSentAt = now
            phase = .closing(attempt, deadline: now + readTimeout)
        case .closing, .ended:
            break
        case .idle, .connecting, .handshaking, .waitingToReconnect:
            // No server to tell: the session times out on its own.
            end(.closed, out: &out)
        }
        return out.finish()
    }
}

// MARK: - Connections

extension SessionStateMachine {
    private mutating func connectToNextServer(now: NIODeadline, out: inout Output) {
        nextConnection += 1
        lastServerIndex = (lastServerIndex + 1) % configuration.serverCount
        let attempt = Attempt(
            connection: ConnectionID(rawValue: nextConnection), serverIndex: lastServerIndex, startedAt: now)
        phase = .connecting(attempt)
        out.actions.append(.connect(attempt.connection, serverIndex: attempt.serverIndex, timeout: connectTimeout))
    }

    /// The current connection or attempt is gone: fail what was sent on it, then try the next server.
    mutating func connectionLost(now: NIODeadline, out: inout Output) {
        guard let attempt = currentAttempt else { return }
        out.close(attempt.connection)
        if case .closing = phase {
            end(.closed, out: &out)
            return
        }
        let wasConnected = isConnected
        failSent(.connectionLoss, out: &out)
        for reply in authReplies {
            if let id = reply.id { authWaiting.append((reply.packet, id)) }
        }
        authReplies.removeAll()
        if wasConnected {
            failedAttemptsInARow = 0
            out.actions.append(.sessionState(.disconnected))
            deliverStateToPersistentWatches(.disconnected, out: &out)
        } else {
            failedAttemptsInARow += 1
        }
        if failedAttemptsInARow > 0 && failedAttemptsInARow % configuration.serverCount == 0 {
            phase = .waitingToReconnect(until: now + configuration.reconnectDelay)
        } else {
            connectToNextServer(now: now, out: &out)
        }
    }

    private mutating func handshakeAnswered(_ frame: ByteBuffer, attempt: Attempt, now: NIODeadline, out: inout Output) {
        guard let response = try? ConnectResponse.decode(from: frame) else {
            connectionLost(now: now, out: &out)
            return
        }
        guard response.timeOutMillis > 0 else {
            end(.expired, out: &out)
            return
        }
        sessionId = response.sessionId
        password = response.passwd
        negotiatedTimeoutMillis = response.timeOutMillis
        failedAttemptsInARow = 0
        phase = .connected(attempt)
        lastSentAt = now
        out.actions.append(.sessionState(.connected))
        deliverStateToPersistentWatches(.syncConnected, out: &out)

        let connection = attempt.connection
        let requests = SetWatchesPlanner.requests(
            for: watches, relativeZxid: lastZxidSeen, bytesMax: configuration.setWatchesBytesMax)
        for request in requests {
            write(request, xid: SpecialXid.setWatches, to: connection, out: &out)
        }
        let waiting = authWaiting
        authWaiting = []
        for packet in authPackets.indices {
            sendAuth(packet, id: waiting.first { $0.packet == packet }?.id, to: connection, now: now, out: &out)
        }
        let pending = queued
        queued.removeAll()
        for request in pending {
            send(request.request, id: request.id, effect: request.effect, to: connection, now: now, out: &out)
        }
    }

    /// Ends the session for good: everything pending fails with the reason's code, watches are released.
    mutating func end(_ reason: SessionEnd, out: inout Output) {
        if case .ended = phase { return }
        if let attempt = currentAttempt { out.close(attempt.connection) }
        phase = .ended(reason)
        failSent(reason.errorCode, out: &out)
        failQueued(reason.errorCode, out: &out)
        for reply in authReplies {
            if let id = reply.id { out.actions.append(.complete(id, .failure(RequestFailure(reason.errorCode)))) }
        }
        for waiting in authWaiting {
            out.actions.append(.complete(waiting.id, .failure(RequestFailure(reason.errorCode))))
        }
        authReplies.removeAll()
        authWaiting = []
        let ids = watches.removeEverything()
        if !ids.isEmpty { out.actions.append(.endWatches(ids, reason)) }
        out.actions.append(.sessionState(reason.state))
    }
}

// MARK: - Sending

extension SessionStateMachine {
    private mutating func allocateXid() -> Int32 {
        let xid = nextXid
        // Positive xids only: the negative ones are the protocol's special xids.
        nextXid = nextXid == Int32.max ? 1 : nextXid + 1
        return xid
    }

    /// Appends one request frame to the outbound batch; false (and nothing written) when it is too long.
    @discardableResult
    private func write(_ request: ClientRequest, xid: Int32, to connection: ConnectionID, out: inout Output) -> Bool {
        let bytesMax = configuration.requestBytesMax
        return out.write(connection, bytesMax: bytesMax) { buffer in
            buffer.writeJuteFrame { frame in
                RequestHeader(xid: xid, opCode: request.opCode).encode(to: &frame)
                request.encode(to: &frame)
            }
        }
    }

    private mutating func send(
        _ request: ClientRequest, id: RequestID, effect: ReplyEffect, to connection: ConnectionID,
        now: NIODeadline, out: inout Output
    ) {
        let xid = allocateXid()
        guard write(request, xid: xid, to: connection, out: &out) else {
            out.actions.append(.complete(id, .failure(RequestFailure(.badArguments))))
            return
        }
        sent.append(SentRequest(xid: xid, opCode: request.opCode, id: id, effect: effect))
        lastSentAt = now
    }

    private mutating func sendAuth(
        _ packet: Int, id: RequestID?, to connection: ConnectionID, now: NIODeadline, out: inout Output
    ) {
        write(.auth(authPackets[packet]), xid: SpecialXid.auth, to: connection, out: &out)
        authReplies.append((packet, id))
        lastSentAt = now
    }

    /// Sends a removeWatches nobody waits for, when no registration or in-flight read still needs the
    /// server's watch on `path`.
    private mutating func removeServerWatchesIfUnused(path: String, now: NIODeadline, out: inout Output) {
        guard case .connected(let attempt) = phase, !watches.isWatched(path: path) else { return }
        let settingWatch = sent.contains { request in
            switch request.effect {
            case .register(_, _, let watched), .exists(_, let watched): watched == path
            default: false
            }
        }
        guard !settingWatch else { return }
        let xid = allocateXid()
        let request = ClientRequest.removeWatches(PathTypeRequest(path: path, type: WatcherType.any.rawValue))
        write(request, xid: xid, to: attempt.connection, out: &out)
        sent.append(SentRequest(xid: xid, opCode: .removeWatches, id: nil, effect: .none))
        lastSentAt = now
    }

    private mutating func failSent(_ code: KeeperError, out: inout Output) {
        for request in sent {
            if let id = request.id { out.actions.append(.complete(id, .failure(RequestFailure(code)))) }
        }
        sent.removeAll()
    }

    private mutating func failQueued(_ code: KeeperError, out: inout Output) {
        for request in queued {
            out.actions.append(.complete(request.id, .failure(RequestFailure(code))))
        }
        queued.removeAll()
    }

    /// Requests queued while disconnected wait at most one session timeout: by then the session is likely
    /// expired and the caller should hear about it.
    private mutating func expireQueuedRequests(now: NIODeadline, out: inout Output) {
        let limit = TimeAmount.milliseconds(timeoutMillis)
        while let first = queued.first, now - first.queuedAt > limit {
            queued.removeFirst()
            out.actions.append(.complete(first.id, .failure(RequestFailure(.connectionLoss))))
        }
    }
}
