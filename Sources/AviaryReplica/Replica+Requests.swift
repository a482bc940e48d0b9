import AviaryDataTree
import AviaryWire
import DequeModule
import NIOCore

extension Replica {
    mutating func receive(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, identity: AuthOutcome?,
        now: Int64, effects: inout [ReplicaEffect]
    ) {
        guard let state = connections[connection] else { return }
        if pendingRevalidations[state.sessionId]?.connection == connection {
            // Nothing is answered before the connect response: ZooKeeper stops reading a connection until the
            // leader has confirmed its session, and clients send queued requests right behind their connect.
            connections[connection]!.awaitingSession.append((header, request, identity))
            return
        }
        touch(state.sessionId)
        if case .auth = request {
            authenticate(connection, header, identity: identity, effects: &effects)
            return
        }
        // A session whose createSession is still on its way is not known yet, but will be before this is answered.
        let isBeingCreated = if case .creatingSession = state.queue.first { true } else { false }
        if state.isClosing || !(sessions.isActive(state.sessionId) || isBeingCreated) {
            // Refused in its turn: replies behind the closeSession (or anything else in flight) keep xid order.
            if state.queue.isEmpty {
                effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, error: .sessionExpired), .empty))
            } else {
                connections[connection]!.queue.append(.refusal(header, .sessionExpired))
            }
            return
        }
        let opCode = request.opCode
        if isReadOnly, opCode.isWrite || opCode == .sync {
            answerReadOnly(connection, header, request, effects: &effects)
            return
        }
        // A lone `check` changes nothing, so it is answered in its turn without a txn: ZooKeeper 3.8 logs one that
        // its own log reader cannot read back (and never replies to it), so neither the log nor the client gains
        // from making it a txn.
        if opCode.isWrite && opCode != .check {
            write(connection, header, request, sessionId: state.sessionId, authInfo: state.authInfo, now: now, effects: &effects)
        } else if case .sync = request, let leader = leaderToForwardTo {
            // A learner catches up with the leader before answering (ZooKeeper forwards sync as a request).
            forward(
                ForwardedRequest(sessionId: state.sessionId, cxid: header.xid, type: header.type, request: request.encoded()),
                authInfo: state.authInfo, to: leader, effects: &effects)
            pendingSyncs.append(connection)
            connections[connection]!.queue.append(.sync(header, request, authInfo: state.authInfo))
        } else if state.queue.isEmpty {
            answerLocally(connection, header, request, authInfo: state.authInfo, effects: &effects)
        } else {
            connections[connection]!.queue.append(.local(header, request, authInfo: state.authInfo))
        }
    }

    /// Extends a session's lease; a learner also remembers it for the leader, which alone expires sessions.
    mutating func touch(_ sessionId: Int64) {
        sessions.touch(sessionId, now: currentTick)
        if leaderToForwardTo != nil, let session = sessions.sessions[sessionId] {
            touchedSessions[sessionId] = session.timeoutMillis
        }
    }

    /// Refuses a request whose body could not be read. A write still becomes an error txn, as in ZooKeeper,
    /// so it takes a zxid; a read is answered in its turn.
    mutating func refuse(
        _ connection: ConnectionID, _ header: RequestHeader, with error: KeeperError, now: Int64,
        effects: inout [ReplicaEffect]
    ) {
        guard let state = connections[connection] else { return }
        touch(state.sessionId)
        if OpCode(rawValue: header.type)?.isWrite == true {
            if let leader = leaderToForwardTo {
                // The leader fails to read it too and orders the error txn.
                forward(
                    ForwardedRequest(sessionId: state.sessionId, cxid: header.xid, type: header.type, request: ByteBuffer()),
                    authInfo: state.authInfo, to: leader, effects: &effects)
            } else {
                let txnHeader = TxnHeader(
                    clientId: state.sessionId, cxid: header.xid, zxid: 0, time: now, type: OpCode.error.rawValue)
                guard submit(header: txnHeader, body: .error(error.rawValue), effects: &effects) else {
                    effects.append(.close(connection, reason: "the leader cannot order transactions now"))
                    disconnect(connection)
                    return
                }
            }
            connections[connection]!.queue.append(.write(cxid: header.xid, opCode: .error))
        } else if state.queue.isEmpty {
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, error: error), .empty))
        } else {
            connections[connection]!.queue.append(.refusal(header, error))
        }
    }

    private mutating func authenticate(
        _ connection: ConnectionID, _ header: RequestHeader, identity: AuthOutcome?, effects: inout [ReplicaEffect]
    ) {
        guard case .authenticated(let identities) = identity else {
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: 0, error: .authFailed), .empty))
            effects.append(.close(connection, reason: "authentication failed"))
            return
        }
        for identity in identities where !connections[connection]!.authInfo.contains(identity) {
            connections[connection]!.authInfo.append(identity)
        }
        effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: 0, err: 0), .empty))
    }

    /// Sends a write to the leader (learner) or prepares and orders it here; either way its reply waits for the
    /// txn carrying this session's `cxid`.
    private mutating func write(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, sessionId: Int64,
        authInfo: [Id], now: Int64, effects: inout [ReplicaEffect]
    ) {
        if case .closeSession = request {
            connections[connection]!.isClosing = true
        }
        if let leader = leaderToForwardTo {
            forward(
                ForwardedRequest(sessionId: sessionId, cxid: header.xid, type: header.type, request: request.encoded()),
                authInfo: authInfo, to: leader, effects: &effects)
        } else {
            guard orderWrite(request, sessionId: sessionId, cxid: header.xid, authInfo: authInfo, now: now, effects: &effects) else {
                effects.append(.close(connection, reason: "the leader cannot order transactions now"))
                disconnect(connection)
                return
            }
        }
        connections[connection]!.queue.append(.write(cxid: header.xid, opCode: request.opCode))
    }

    /// Prepares a write into a txn and submits it (standalone, or on the leader for any server's client). A failed
    /// prepare becomes an error txn, as in ZooKeeper, so it takes a zxid and keeps its place in the session's
    /// order. False when no txn can be ordered now.
    mutating func orderWrite(
        _ request: ClientRequest, sessionId: Int64, cxid: Int32, authInfo: [Id], now: Int64,
        effects: inout [ReplicaEffect]
    ) -> Bool {
        guard let zxid = upcomingZxid else { return false }
        let context = prepareContext(sessionId: sessionId, zxid: zxid, time: now, authInfo: authInfo)
        var body: TxnBody
        var type = request.opCode
        if case .reconfig = request {
            body = .error(KeeperError.reconfigDisabled.rawValue)
            type = .error
        } else {
            do {
                body = try tree.prepare(request, context: context, pending: &pending)
            } catch {
                body = .error(error.rawValue)
                type = .error
            }
        }
        if case .closeSession = request {
            sessions.setClosing(sessionId)
        }
        let txnHeader = TxnHeader(clientId: sessionId, cxid: cxid, zxid: zxid, time: now, type: type.rawValue)
        return submit(header: txnHeader, body: body, effects: &effects)
    }

    /// Answers a request that needs no transaction, from the local tree.
    mutating func answerLocally(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, authInfo: [Id],
        effects: inout [ReplicaEffect]
    ) {
        guard let state = connections[connection] else { return }
        let zxid = tree.lastProcessedZxid
        func reply(_ body: ResponseBody) {
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: zxid, err: 0), body))
        }
        switch request {
        case .ping:
            reply(.empty)
        case .sync(let sync):
            reply(.sync(path: sync.path))
        case .whoAmI:
            reply(.whoAmI(AuthIdentityOrder.sorted(authInfo).map(Self.clientInfo)))
        case .setWatches(let setWatches, _):
            // Events for what changed while the client was away go out before the reply.
            for notification in tree.setWatches(setWatches, watcher: connection, zxid: zxid) {
                effects.append(.notification(connection, notification.event))
            }
            reply(.empty)
        case .sasl:
            // Without SASL configured ZooKeeper answers with an empty challenge and carries on.
            reply(.sasl(token: nil))
        default:
            do {
                let body = try tree.read(request, sessionId: state.sessionId, authInfo: authInfo, watcher: connection)
                reply(body)
            } catch {
                effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: zxid, error: error), .empty))
            }
        }
    }

    static func clientInfo(_ id: Id) -> ClientInfo {
        // Digest identities are shown by user name only, without the password hash.
        if id.scheme == "digest" {
            return ClientInfo(authScheme: id.scheme, user: String(id.id.split(separator: ":", maxSplits: 1).first ?? ""))
        }
        return ClientInfo(authScheme: id.scheme, user: id.id)
    }
}
