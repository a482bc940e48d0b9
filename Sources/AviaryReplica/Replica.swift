import AviaryDataTree
import AviaryWire
import DequeModule

/// One server's logic without I/O: sessions, the znode tree, pending changes, per-connection ordering and the
/// routing of replies and watch events. The shell feeds it inputs one at a time and carries out the effects
/// in order. Time enters only as `tick` and as the wall-clock `now` stamped into new transactions.
public struct Replica: Sendable {
    public let configuration: ReplicaConfiguration
    public internal(set) var tree: DataTree
    public internal(set) var sessions: SessionTracker
    var pending = PendingChanges()
    var connections: [ConnectionID: ConnectionState] = [:]
    var connectionBySession: [Int64: ConnectionID] = [:]
    var inFlight: Deque<InFlightTxn> = []
    var nextZxid: Int64
    var currentTick: Int64 = 0

    /// `restoredSessions` are the sessions a recovered data directory holds; each gets a full lease from now,
    /// so its client can reconnect before it expires (ZooKeeper does the same on start-up).
    public init(
        configuration: ReplicaConfiguration, tree: DataTree = DataTree(),
        restoredSessions: [(id: Int64, timeoutMillis: Int32)] = [], sessionSeedMillis: Int64
    ) {
        self.configuration = configuration
        self.tree = tree
        self.sessions = SessionTracker(
            serverId: configuration.serverId, seedMillis: sessionSeedMillis,
            tickTimeMillis: configuration.tickTimeMillis)
        for session in restoredSessions {
            sessions.add(id: session.id, timeoutMillis: session.timeoutMillis, now: 0)
        }
        self.nextZxid = tree.lastProcessedZxid + 1
    }

    /// Sessions and their timeouts, for a snapshot.
    public var sessionTimeouts: [(id: Int64, timeoutMillis: Int32)] {
        sessions.sessions.values.sorted { $0.id < $1.id }.map { ($0.id, $0.timeoutMillis) }
    }

    /// Handles one input. `now` is the wall clock in milliseconds, used only to stamp new transactions.
    public mutating func handle(_ input: ReplicaInput, now: Int64) -> [ReplicaEffect] {
        var effects: [ReplicaEffect] = []
        switch input {
        case .connect(let connection, let request, let address):
            connect(connection, request, address: address, now: now, effects: &effects)
        case .request(let connection, let header, let request, let identity):
            receive(connection, header, request, identity: identity, now: now, effects: &effects)
        case .unknownRequest(let connection, let header):
            // ZooKeeper answers with zxid -1 and drops the connection; the session lives on.
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: -1, error: .unimplemented), .empty))
            effects.append(.close(connection, reason: "unknown request type \(header.type)"))
            disconnect(connection)
        case .undecodableRequest(let connection, let header):
            refuse(connection, header, with: .marshallingError, now: now, effects: &effects)
        case .disconnected(let connection):
            disconnect(connection)
        case .tick:
            currentTick += 1
            expireSessions(now: now, effects: &effects)
            if currentTick % containerCheckIntervalTicks == 0 {
                reapContainers(now: now, effects: &effects)
            }
        case .logAppended(let zxid):
            commit(through: zxid, effects: &effects)
        }
        return effects
    }

    public var connectionCount: Int { connections.count }
    public var outstandingRequestCount: Int { connections.values.reduce(0) { $0 + $1.queue.count } }
    public var lastProcessedZxid: Int64 { tree.lastProcessedZxid }

    // MARK: - Connections and sessions

    private mutating func connect(
        _ connection: ConnectionID, _ request: ConnectRequest, address: String, now: Int64,
        effects: inout [ReplicaEffect]
    ) {
        if request.lastZxidSeen > tree.lastProcessedZxid {
            // The client has seen a newer state than ours; it must try another server.
            effects.append(.close(connection, reason: "client has seen zxid beyond ours"))
            return
        }
        let timeout = Int32(
            min(max(Int(request.timeOutMillis), configuration.minSessionTimeoutMillis),
                configuration.maxSessionTimeoutMillis))
        var state = ConnectionState(
            address: address, sessionId: 0, authInfo: [Id(scheme: "ip", id: address)],
            hasReadOnlyByte: request.hasReadOnlyByte)
        if request.sessionId == 0 {
            let sessionId = sessions.allocateSessionId()
            sessions.add(id: sessionId, timeoutMillis: timeout, now: currentTick)
            state.sessionId = sessionId
            let response = ConnectResponse(
                timeOutMillis: timeout, sessionId: sessionId, passwd: SessionPassword.derive(sessionId: sessionId),
                hasReadOnlyByte: request.hasReadOnlyByte)
            connections[connection] = state
            connectionBySession[sessionId] = connection
            let zxid = submit(
                header: TxnHeader(clientId: sessionId, cxid: 0, zxid: 0, time: now, type: OpCode.createSession.rawValue),
                body: .createSession(timeOutMillis: timeout), origin: .connect(connection, response), effects: &effects)
            connections[connection]!.queue.append(.write(zxid: zxid))
            return
        }
        let sessionId = request.sessionId
        // Like ZooKeeper, drop the session's current connection before checking who is asking.
        if let previous = connectionBySession[sessionId], previous != connection {
            effects.append(.close(previous, reason: "session reconnecting on a new connection"))
            disconnect(previous)
        }
        guard request.passwd == SessionPassword.derive(sessionId: sessionId), sessions.touch(sessionId, now: currentTick, timeoutMillis: timeout)
        else {
            effects.append(.connectResponse(connection, .rejected(hasReadOnlyByte: request.hasReadOnlyByte)))
            effects.append(.close(connection, reason: "session 0x\(String(UInt64(bitPattern: sessionId), radix: 16)) expired or invalid"))
            return
        }
        state.sessionId = sessionId
        connections[connection] = state
        connectionBySession[sessionId] = connection
        effects.append(
            .connectResponse(
                connection,
                ConnectResponse(
                    timeOutMillis: timeout, sessionId: sessionId, passwd: SessionPassword.derive(sessionId: sessionId),
                    hasReadOnlyByte: request.hasReadOnlyByte)))
    }

    private mutating func disconnect(_ connection: ConnectionID) {
        guard let state = connections.removeValue(forKey: connection) else { return }
        tree.removeWatcher(connection)
        if connectionBySession[state.sessionId] == connection {
            connectionBySession[state.sessionId] = nil
        }
    }

    private mutating func expireSessions(now: Int64, effects: inout [ReplicaEffect]) {
        for sessionId in sessions.expired(at: currentTick) {
            sessions.setClosing(sessionId)
            let header = TxnHeader(clientId: sessionId, cxid: 0, zxid: 0, time: now, type: OpCode.closeSession.rawValue)
            let context = prepareContext(sessionId: sessionId, zxid: nextZxid, time: now, authInfo: [])
            let body = (try? tree.prepare(.closeSession, context: context, pending: &pending)) ?? .closeSession(pathsToDelete: [])
            _ = submit(header: header, body: body, origin: .server, effects: &effects)
        }
    }

    var containerCheckIntervalTicks: Int64 {
        let tick = Int64(configuration.tickTimeMillis)
        return max(1, (Int64(configuration.containerCheckIntervalMillis) + tick - 1) / tick)
    }

    /// Deletes empty containers and expired TTL nodes, at most `containerMaxPerMinute` per minute of interval.
    private mutating func reapContainers(now: Int64, effects: inout [ReplicaEffect]) {
        let limit = max(1, configuration.containerMaxPerMinute * max(1, configuration.containerCheckIntervalMillis / 60_000))
        for path in tree.reapableNodes(now: now).prefix(limit) {
            let zxid = nextZxid
            let context = prepareContext(sessionId: 0, zxid: zxid, time: now, authInfo: [])
            let header = TxnHeader(clientId: 0, cxid: 0, zxid: zxid, time: now, type: OpCode.deleteContainer.rawValue)
            let body: TxnBody
            do {
                body = try tree.prepareDeleteContainer(path: path, context: context, pending: &pending)
            } catch {
                continue
            }
            _ = submit(header: header, body: body, origin: .server, effects: &effects)
        }
    }

    func prepareContext(sessionId: Int64, zxid: Int64, time: Int64, authInfo: [Id]) -> PrepareContext {
        PrepareContext(
            sessionId: sessionId, zxid: zxid, time: time, authInfo: authInfo,
            extendedTypesEnabled: configuration.extendedTypesEnabled)
    }

    /// Gives the txn the next zxid and asks the shell to log it. Returns the zxid.
    mutating func submit(header: TxnHeader, body: TxnBody, origin: TxnOrigin, effects: inout [ReplicaEffect]) -> Int64 {
        var header = header
        header.zxid = nextZxid
        nextZxid += 1
        let txn = Txn(header: header, body: body)
        inFlight.append(InFlightTxn(txn: txn, origin: origin))
        effects.append(.appendToLog(txn))
        return header.zxid
    }
}
