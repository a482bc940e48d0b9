import AviaryDataTree
import AviaryWire
import DequeModule

extension Replica {
    /// Applies every in-flight txn up to `zxid` in zxid order, then answers each origin: watch events first,
    /// then the reply, then the requests that were waiting behind it on the same connection.
    mutating func commit(through zxid: Int64, effects: inout [ReplicaEffect]) {
        while let first = inFlight.first, first.txn.zxid <= zxid {
            inFlight.removeFirst()
            var notifications: [WatchNotification] = []
            let result = tree.apply(first.txn, notifications: &notifications)
            pending.applied(through: first.txn.zxid)
            for notification in notifications {
                guard let watcher = connections[notification.watcher],
                    (try? AccessControl.check(notification.acl, .read, authInfo: watcher.authInfo)) != nil
                else { continue }
                effects.append(.notification(notification.watcher, notification.event))
            }
            if case .closeSession = first.txn.body {
                endSession(first.txn.header.clientId, origin: first.origin, effects: &effects)
            }
            route(first, result: result, effects: &effects)
        }
    }

    private mutating func endSession(_ sessionId: Int64, origin: TxnOrigin, effects: inout [ReplicaEffect]) {
        sessions.remove(sessionId)
        guard let connection = connectionBySession.removeValue(forKey: sessionId) else { return }
        // A client that asked to close gets its reply first; `route` closes its connection after replying.
        if case .request(let requester, _, _) = origin, requester == connection { return }
        effects.append(.close(connection, reason: "session expired"))
        connections[connection]?.queue.removeAll()
    }

    private mutating func route(_ entry: InFlightTxn, result: ApplyResult, effects: inout [ReplicaEffect]) {
        switch entry.origin {
        case .server:
            return
        case .connect(let connection, let response):
            guard connections[connection] != nil else { return }
            _ = connections[connection]!.queue.popFirst()
            effects.append(.connectResponse(connection, response))
            drainQueue(connection, effects: &effects)
        case .request(let connection, let xid, let opCode):
            guard connections[connection] != nil else { return }
            _ = connections[connection]!.queue.popFirst()
            // A multi that ran reports per-op results under a zero header code (ZooKeeper 3.8); one refused whole
            // (an error txn) reports the code with no body.
            let ranAsMulti = opCode == .multi && result.opCode == .multi
            let header = ReplyHeader(xid: xid, zxid: entry.txn.zxid, err: ranAsMulti ? 0 : result.errorCode)
            effects.append(.reply(connection, header, Self.responseBody(opCode: opCode, result: result)))
            if opCode == .closeSession {
                effects.append(.close(connection, reason: "client closed its session"))
                connections[connection]?.queue.removeAll()
                return
            }
            drainQueue(connection, effects: &effects)
        }
    }

    /// Answers the local requests at the head of a connection's queue, up to the next write.
    private mutating func drainQueue(_ connection: ConnectionID, effects: inout [ReplicaEffect]) {
        while let state = connections[connection], let head = state.queue.first {
            switch head {
            case .write:
                return
            case .local(let header, let request, let authInfo):
                _ = connections[connection]!.queue.popFirst()
                answerLocally(connection, header, request, authInfo: authInfo, effects: &effects)
            case .refusal(let header, let error):
                _ = connections[connection]!.queue.popFirst()
                effects.append(.reply(connection, ReplyHeader(xid: header.xid, zxid: tree.lastProcessedZxid, error: error), .empty))
            }
        }
    }

    static func responseBody(opCode: OpCode, result: ApplyResult) -> ResponseBody {
        if opCode == .multi && result.opCode == .multi {
            return .multi(result.multiResults.map(multiResult))
        }
        if result.errorCode != 0 { return .empty }
        switch opCode {
        case .create: return .create(path: result.path ?? "")
        case .create2, .createContainer, .createTTL: return .create2(path: result.path ?? "", stat: result.stat ?? Stat())
        case .setData, .setACL: return .stat(result.stat ?? Stat())
        default: return .empty
        }
    }

    static func multiResult(_ result: ApplyResult) -> MultiResult {
        switch result.opCode {
        case .error: .error(result.errorCode)
        case .create: .create(path: result.path ?? "")
        case .create2, .createContainer, .createTTL: .create2(path: result.path ?? "", stat: result.stat ?? Stat())
        case .delete, .deleteContainer: .delete
        case .setData: .setData(result.stat ?? Stat())
        case .check: .check
        default: .error(result.errorCode)
        }
    }
}
