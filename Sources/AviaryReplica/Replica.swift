import AviaryConsensus
import AviaryDataTree
import AviaryWire
import DequeModule
import NIOCore

/// One server's logic without I/O: sessions, the znode tree, pending changes, per-connection ordering and the
/// routing of replies and watch events; in an ensemble also the consensus core, the forwarding of writes to the
/// leader and the sessions shared with it. The shell feeds it inputs one at a time and carries out the effects
/// in order. Time enters only as `tick`, `clock(now:)` and the wall-clock `now` stamped into new transactions.
public struct Replica: Sendable {
    public let configuration: ReplicaConfiguration
    public internal(set) var tree: DataTree
    public internal(set) var sessions: SessionTracker
    var pending = PendingChanges()
    var connections: [ConnectionID: ConnectionState] = [:]
    var connectionBySession: [Int64: ConnectionID] = [:]
    /// Standalone: txns handed to the log, applied once durable.
    var inFlight: Deque<Txn> = []
    var nextZxid: Int64
    var currentTick: Int64 = 0

    /// nil when standalone.
    public internal(set) var consensus: QuorumPeer<Txn>?
    /// Sessions this learner's clients touched since its last PING reply, with their timeouts.
    var touchedSessions: [Int64: Int32] = [:]
    /// Reconnects waiting for the leader to confirm their session.
    var pendingRevalidations: [Int64: (connection: ConnectionID, response: ConnectResponse)] = [:]
    /// Connections whose forwarded `sync` waits for the leader's SYNC, oldest first.
    var pendingSyncs: Deque<ConnectionID> = []
    /// The consensus clock as last fed, and when this server last started looking for a leader.
    var clockMillis: Int64 = 0
    var lookingSinceMillis: Int64 = 0
    /// Sessions created while read-only: local to this server, unknown to the ensemble.
    var readOnlySessions: Set<Int64> = []
    /// On the leader: where each session's requests come from (see `SessionOwner`).
    var sessionOwners: [Int64: SessionOwner] = [:]

    /// `restoredSessions` are the sessions a recovered data directory holds; each gets a full lease from now,
    /// so its client can reconnect before it expires (ZooKeeper does the same on start-up). With `consensus`,
    /// the replica is an ensemble member and serves clients only while it leads or follows a leader.
    public init(
        configuration: ReplicaConfiguration, tree: DataTree = DataTree(),
        restoredSessions: [(id: Int64, timeoutMillis: Int32)] = [], sessionSeedMillis: Int64,
        consensus: QuorumPeer<Txn>? = nil
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
        self.consensus = consensus
    }

    /// Sessions and their timeouts, for a snapshot.
    public var sessionTimeouts: [(id: Int64, timeoutMillis: Int32)] {
        sessions.sessions.values.sorted { $0.id < $1.id }.map { ($0.id, $0.timeoutMillis) }
    }

    /// Handles one input. `now` is the wall clock in milliseconds, used only to stamp new transactions.
    public mutating func handle(_ input: ReplicaInput, now: Int64) -> [ReplicaEffect] {
        var effects: [ReplicaEffect] = []
        switch input {
        case .connect(let connection, let request, let address, let certificateIdentities):
            let authInfo = [Id(scheme: "ip", id: address)] + certificateIdentities
            connect(connection, request, address: address, authInfo: authInfo, now: now, effects: &effects)
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
            if isReadOnly { expireReadOnlySessions(effects: &effects) }
            guard mayDecide else { break }
            expireSessions(now: now, effects: &effects)
            if currentTick % containerCheckIntervalTicks == 0 {
                reapContainers(now: now, effects: &effects)
            }
        case .logAppended(let zxid):
            if consensus == nil {
                commit(through: zxid, effects: &effects)
            } else {
                runConsensus({ $0.logAppended(through: zxid) }, now: now, effects: &effects)
            }
        case .start(let clock):
            clockMillis = clock
            lookingSinceMillis = clock
            runConsensus({ $0.start(now: clock) }, now: now, effects: &effects)
        case .clock(let clock):
            clockMillis = max(clockMillis, clock)
            runConsensus({ $0.tick(now: clock) }, now: now, effects: &effects)
        case .notification(let notification, let sender):
            runConsensus({ $0.receiveNotification(notification, from: sender) }, now: now, effects: &effects)
        case .learnerPacket(let packet, let sender):
            receive(packet, from: sender, now: now, effects: &effects)
        case .snapshotReceived(let zxid, let data, let sender):
            installSnapshot(zxid: zxid, data: data, from: sender, now: now, effects: &effects)
        case .connectedToLeader(let leader):
            runConsensus({ $0.connectedToLeader(leader) }, now: now, effects: &effects)
        case .peerConnectionLost(let peer):
            runConsensus({ $0.connectionLost(peer) }, now: now, effects: &effects)
        }
        return effects
    }

    public var connectionCount: Int { connections.count }
    public var outstandingRequestCount: Int { connections.values.reduce(0) { $0 + $1.queue.count } }
    public var lastProcessedZxid: Int64 { tree.lastProcessedZxid }
    /// Standalone: the newest txn handed to the log and not yet reported durable, if any.
    public var newestZxidAwaitingLog: Int64? { inFlight.last?.zxid }

    // MARK: - Roles

    /// Where this server stands in its ensemble; standalone servers always lead themselves.
    public var servingState: ServingState { consensus?.servingState ?? .leading }

    /// Whether clients are served: always standalone, in an ensemble only while synced with a leader.
    public var isServing: Bool {
        switch servingState {
        case .leading: consensus?.isLeaderServing ?? true
        case .following, .observing: true
        case .looking, .synchronizing: false
        }
    }

    /// Whether this server serves reads only: `readonlymode.enabled`, and looking for a leader for a while
    /// (ZooKeeper waits the same before starting its read-only server, so a quick re-election does not flap).
    public var isReadOnly: Bool {
        configuration.readOnlyModeEnabled && consensus != nil && servingState == .looking
            && clockMillis - lookingSinceMillis >= max(2000, Int64(configuration.tickTimeMillis))
    }

    /// Whether this server orders writes and decides expiries itself (standalone, or the serving leader).
    var mayDecide: Bool { consensus == nil || consensus?.isLeaderServing == true }

    /// The leader this learner forwards to, when it is one and serving.
    var leaderToForwardTo: Int64? {
        switch servingState {
        case .following(let leader), .observing(let leader): leader
        default: nil
        }
    }

    /// The zxid the next prepared txn will get, or nil when this server cannot order one now.
    var upcomingZxid: Int64? {
        guard let consensus else { return nextZxid }
        return consensus.nextProposalZxid
    }

    // MARK: - Connections and sessions

    private mutating func connect(
        _ connection: ConnectionID, _ request: ConnectRequest, address: String, authInfo: [Id], now: Int64,
        effects: inout [ReplicaEffect]
    ) {
        if isReadOnly {
            connectReadOnly(connection, request, address: address, authInfo: authInfo, effects: &effects)
            return
        }
        guard isServing else {
            // As ZooKeeper: no session business while there is no leader to agree with.
            effects.append(.close(connection, reason: "not serving: the ensemble has no leader this server follows"))
            return
        }
        guard let timeout = admit(connection, request, effects: &effects) else { return }
        var state = ConnectionState(
            address: address, sessionId: 0, authInfo: authInfo,
            hasReadOnlyByte: request.hasReadOnlyByte)
        if request.sessionId == 0 {
            let sessionId = sessions.allocateSessionId()
            state.sessionId = sessionId
            let response = ConnectResponse(
                timeOutMillis: timeout, sessionId: sessionId, passwd: SessionPassword.derive(sessionId: sessionId),
                hasReadOnlyByte: request.hasReadOnlyByte)
            let header = TxnHeader(clientId: sessionId, cxid: 0, zxid: 0, time: now, type: OpCode.createSession.rawValue)
            if let leader = leaderToForwardTo {
                var timeoutBytes = ByteBufferAllocator().buffer(capacity: 4)
                timeoutBytes.writeJuteInt(timeout)
                forward(
                    ForwardedRequest(sessionId: sessionId, cxid: 0, type: OpCode.createSession.rawValue, request: timeoutBytes),
                    authInfo: [], to: leader, effects: &effects)
            } else if !submit(header: header, body: .createSession(timeOutMillis: timeout), effects: &effects) {
                effects.append(.close(connection, reason: "the leader cannot order transactions now"))
                return
            } else {
                sessionOwners[sessionId] = .connection(connection)
            }
            state.queue.append(.creatingSession(response))
            connections[connection] = state
            connectionBySession[sessionId] = connection
            return
        }
        let sessionId = request.sessionId
        // Like ZooKeeper, drop the session's current connection before checking who is asking.
        if let previous = connectionBySession[sessionId], previous != connection {
            effects.append(.close(previous, reason: "session reconnecting on a new connection"))
            disconnect(previous)
        }
        let response = ConnectResponse(
            timeOutMillis: timeout, sessionId: sessionId, passwd: SessionPassword.derive(sessionId: sessionId),
            hasReadOnlyByte: request.hasReadOnlyByte)
        guard request.passwd == SessionPassword.derive(sessionId: sessionId) else {
            reject(connection, sessionId: sessionId, hasReadOnlyByte: request.hasReadOnlyByte, effects: &effects)
            return
        }
        state.sessionId = sessionId
        if let leader = leaderToForwardTo {
            // Only the leader knows whether the session is still alive (ZooKeeper's REVALIDATE).
            connections[connection] = state
            connectionBySession[sessionId] = connection
            pendingRevalidations[sessionId] = (connection, response)
            effects.append(.sendToPeer(leader, .revalidate(RevalidateRequest(sessionId: sessionId, timeoutMillis: timeout))))
            return
        }
        guard sessions.touch(sessionId, now: currentTick, timeoutMillis: timeout) else {
            reject(connection, sessionId: sessionId, hasReadOnlyByte: request.hasReadOnlyByte, effects: &effects)
            return
        }
        sessionOwners[sessionId] = .connection(connection)
        connections[connection] = state
        connectionBySession[sessionId] = connection
        effects.append(.connectResponse(connection, response))
    }

    /// The session timeout a client gets, within the configured bounds; nil, with the connection closed, when the
    /// client has seen a newer state than ours and must try another server.
    func admit(_ connection: ConnectionID, _ request: ConnectRequest, effects: inout [ReplicaEffect]) -> Int32? {
        guard request.lastZxidSeen <= tree.lastProcessedZxid else {
            effects.append(.close(connection, reason: "client has seen zxid beyond ours"))
            return nil
        }
        return Int32(
            min(max(Int(request.timeOutMillis), configuration.minSessionTimeoutMillis),
                configuration.maxSessionTimeoutMillis))
    }

    mutating func reject(
        _ connection: ConnectionID, sessionId: Int64, hasReadOnlyByte: Bool, effects: inout [ReplicaEffect]
    ) {
        effects.append(.connectResponse(connection, .rejected(hasReadOnlyByte: hasReadOnlyByte)))
        effects.append(.close(connection, reason: "session 0x\(String(UInt64(bitPattern: sessionId), radix: 16)) expired or invalid"))
        disconnect(connection)
    }

    mutating func disconnect(_ connection: ConnectionID) {
        guard let state = connections.removeValue(forKey: connection) else { return }
        tree.removeWatcher(connection)
        if connectionBySession[state.sessionId] == connection {
            connectionBySession[state.sessionId] = nil
            if pendingRevalidations[state.sessionId]?.connection == connection {
                pendingRevalidations[state.sessionId] = nil
            }
        }
    }

    private mutating func expireSessions(now: Int64, effects: inout [ReplicaEffect]) {
        for sessionId in sessions.expired(at: currentTick) {
            guard let zxid = upcomingZxid else { return }
            sessions.setClosing(sessionId)
            let header = TxnHeader(clientId: sessionId, cxid: 0, zxid: 0, time: now, type: OpCode.closeSession.rawValue)
            let context = prepareContext(sessionId: sessionId, zxid: zxid, time: now, authInfo: [])
            let body = (try? tree.prepare(.closeSession, context: context, pending: &pending)) ?? .closeSession(pathsToDelete: [])
            _ = submit(header: header, body: body, effects: &effects)
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
            guard let zxid = upcomingZxid else { return }
            let context = prepareContext(sessionId: 0, zxid: zxid, time: now, authInfo: [])
            let header = TxnHeader(clientId: 0, cxid: 0, zxid: zxid, time: now, type: OpCode.deleteContainer.rawValue)
            let body: TxnBody
            do {
                body = try tree.prepareDeleteContainer(path: path, context: context, pending: &pending)
            } catch {
                continue
            }
            _ = submit(header: header, body: body, effects: &effects)
        }
    }

    func prepareContext(sessionId: Int64, zxid: Int64, time: Int64, authInfo: [Id]) -> PrepareContext {
        PrepareContext(
            sessionId: sessionId, zxid: zxid, time: time, authInfo: authInfo,
            extendedTypesEnabled: configuration.extendedTypesEnabled)
    }

    /// Gives the txn the next zxid and logs it (standalone) or proposes it (leader). False, with nothing done,
    /// when this server cannot order a txn now.
    mutating func submit(header: TxnHeader, body: TxnBody, effects: inout [ReplicaEffect]) -> Bool {
        guard let zxid = upcomingZxid else { return false }
        var header = header
        header.zxid = zxid
        let txn = Txn(header: header, body: body)
        if consensus == nil {
            nextZxid += 1
            inFlight.append(txn)
            effects.append(.appendToLog(txn))
        } else {
            runConsensus({ $0.propose(txn) }, now: header.time, effects: &effects)
        }
        return true
    }
}
