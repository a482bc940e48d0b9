import AviaryDataTree
import AviaryWire
import DequeModule

extension Replica {
    mutating func receive(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, identity: AuthOutcome?,
        now: Int64, effects: inout [ReplicaEffect]
    ) {
        guard let state = connections[connection] else { return }
        sessions.touch(state.sessionId, now: currentTick)
        if case .auth = request {
            authenticate(connection, header, identity: identity, effects: &effects)
            return
        }
        if state.isClosing || !sessions.isActive(state.sessionId) {
            effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, error: .sessionExpired), .empty))
            return
        }
        let opCode = request.opCode
        // A lone `check` changes nothing, so it is answered in its turn without a txn: ZooKeeper 3.8 logs one that
        // its own log reader cannot read back (and never replies to it), so neither the log nor the client gains
        // from making it a txn.
        if opCode.isWrite && opCode != .check {
            write(connection, header, request, sessionId: state.sessionId, authInfo: state.authInfo, now: now, effects: &effects)
        } else if state.queue.isEmpty {
            answerLocally(connection, header, request, authInfo: state.authInfo, effects: &effects)
        } else {
            connections[connection]!.queue.append(.local(header, request, authInfo: state.authInfo))
        }
    }

    /// Refuses a request whose body could not be read. A write still becomes an error txn, as in ZooKeeper,
    /// so it takes a zxid; a read is answered in its turn.
    mutating func refuse(
        _ connection: ConnectionID, _ header: RequestHeader, with error: KeeperError, now: Int64,
        effects: inout [ReplicaEffect]
    ) {
        guard let state = connections[connection] else { return }
        sessions.touch(state.sessionId, now: currentTick)
        if OpCode(rawValue: header.type)?.isWrite == true {
            let zxid = nextZxid
            let txnHeader = TxnHeader(
                clientId: state.sessionId, cxid: header.xid, zxid: zxid, time: now, type: OpCode.error.rawValue)
            _ = submit(
                header: txnHeader, body: .error(error.rawValue),
                origin: .request(connection, xid: header.xid, opCode: .error), effects: &effects)
            connections[connection]!.queue.append(.write(zxid: zxid))
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

    /// Prepares a write into a txn (a failed prepare becomes an error txn, as in ZooKeeper, so it takes a zxid
    /// and keeps its place in the session's order) and submits it.
    private mutating func write(
        _ connection: ConnectionID, _ header: RequestHeader, _ request: ClientRequest, sessionId: Int64,
        authInfo: [Id], now: Int64, effects: inout [ReplicaEffect]
    ) {
        let zxid = nextZxid
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
            connections[connection]!.isClosing = true
        }
        let txnHeader = TxnHeader(clientId: sessionId, cxid: header.xid, zxid: zxid, time: now, type: type.rawValue)
        _ = submit(header: txnHeader, body: body, origin: .request(connection, xid: header.xid, opCode: request.opCode), effects: &effects)
        connections[connection]!.queue.append(.write(zxid: zxid))
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
