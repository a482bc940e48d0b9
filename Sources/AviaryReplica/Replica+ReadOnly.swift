import AviaryDataTree
import AviaryWire

/// Read-only mode (`readonlymode.enabled`): a member cut off from the quorum keeps answering reads from the state
/// it last had, to clients that said they accept that, as ZooKeeper's ReadOnlyZooKeeperServer does. Sessions
/// made here are local; nothing is written. A session of the ensemble may not carry on here: the quorum may be
/// expiring it meanwhile, and its client must not go on believing it still owns its ephemerals (ZooKeeper 3.8
/// refuses these reconnections too).
extension Replica {
    mutating func connectReadOnly(
        _ connection: ConnectionID, _ request: ConnectRequest, address: String, authInfo: [Id],
        effects: inout [ReplicaEffect]
    ) {
        guard request.readOnly else {
            effects.append(.close(connection, reason: "read-only: refusing a client that does not accept read-only servers"))
            return
        }
        guard let timeout = admit(connection, request, effects: &effects) else { return }
        var sessionId = request.sessionId
        if sessionId == 0 {
            sessionId = sessions.allocateSessionId()
            sessions.add(id: sessionId, timeoutMillis: timeout, now: currentTick)
            readOnlySessions.insert(sessionId)
        } else {
            guard readOnlySessions.contains(sessionId) else {
                effects.append(.close(connection, reason: "read-only: refusing to carry on a session of the ensemble"))
                return
            }
            if let previous = connectionBySession[sessionId], previous != connection {
                effects.append(.close(previous, reason: "session reconnecting on a new connection"))
                disconnect(previous)
            }
            guard request.passwd == SessionPassword.derive(sessionId: sessionId),
                sessions.touch(sessionId, now: currentTick, timeoutMillis: timeout)
            else {
                reject(connection, sessionId: sessionId, hasReadOnlyByte: request.hasReadOnlyByte, effects: &effects)
                return
            }
        }
        connections[connection] = ConnectionState(
            address: address, sessionId: sessionId, authInfo: authInfo,
            hasReadOnlyByte: request.hasReadOnlyByte)
        connectionBySession[sessionId] = connection
        effects.append(
            .connectResponse(
                connection,
                ConnectResponse(
                    timeOutMillis: timeout, sessionId: sessionId, passwd: SessionPassword.derive(sessionId: sessionId),
                    readOnly: true, hasReadOnlyByte: request.hasReadOnlyByte)))
    }

    /// Writes and `sync` are refused with NOTREADONLY; closing a session ends it here.
    mutating func answerReadOnly(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, effects: inout [ReplicaEffect]
    ) {
        guard case .closeSession = request, let state = connections[connection] else {
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, error: .notReadOnly), .empty))
            return
        }
        effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, err: 0), .empty))
        effects.append(.close(connection, reason: "client closed its session"))
        if readOnlySessions.remove(state.sessionId) != nil { sessions.remove(state.sessionId) }
        disconnect(connection)
    }

    /// Read-only sessions made here lapse here; the ensemble's own sessions are the leader's to expire.
    mutating func expireReadOnlySessions(effects: inout [ReplicaEffect]) {
        for sessionId in sessions.expired(at: currentTick) where readOnlySessions.contains(sessionId) {
            readOnlySessions.remove(sessionId)
            sessions.remove(sessionId)
            if let connection = connectionBySession[sessionId] {
                effects.append(.close(connection, reason: "session expired"))
                disconnect(connection)
            }
        }
    }
}
