import AviaryDataTree
import AviaryWire
import DequeModule

extension Replica {
    /// Standalone: applies every logged txn up to `zxid`, in zxid order.
    mutating func commit(through zxid: Int64, effects: inout [ReplicaEffect]) {
        while let first = inFlight.first, first.zxid <= zxid {
            inFlight.removeFirst()
            applyCommitted(first, effects: &effects)
        }
    }

    /// Applies one committed txn, then answers the client that asked for it if it is connected here: watch
    /// events first, then the reply, then the requests that were waiting behind it on the same connection.
    mutating func applyCommitted(_ txn: Txn, effects: inout [ReplicaEffect]) {
        var notifications: [WatchNotification] = []
        let result = tree.apply(txn, notifications: &notifications)
        pending.applied(through: txn.zxid)
        for notification in notifications {
            guard let watcher = connections[notification.watcher],
                (try? AccessControl.check(notification.acl, .read, authInfo: watcher.authInfo)) != nil
            else { continue }
            effects.append(.notification(notification.watcher, notification.event))
        }
        switch txn.body {
        case .createSession(let timeout):
            sessions.add(id: txn.header.clientId, timeoutMillis: timeout, now: currentTick)
        case .closeSession:
            endSession(txn.header.clientId, cxid: txn.header.cxid, effects: &effects)
        default:
            break
        }
        route(txn, result: result, effects: &effects)
    }

    private mutating func endSession(_ sessionId: Int64, cxid: Int32, effects: inout [ReplicaEffect]) {
        sessions.remove(sessionId)
        touchedSessions[sessionId] = nil
        sessionOwners[sessionId] = nil
        guard let connection = connectionBySession[sessionId] else { return }
        // A client that asked to close gets its reply first; `route` closes its connection after replying.
        if case .write(let waiting, .closeSession) = connections[connection]?.queue.first, waiting == cxid { return }
        connectionBySession[sessionId] = nil
        effects.append(.close(connection, reason: "session expired"))
        connections[connection]?.queue.removeAll()
    }

    /// Finds the connection waiting for this txn: its session's, with the txn's cxid at the head of its queue.
    /// Txns of sessions connected elsewhere, and of server decisions, are answered by nobody here.
    private mutating func route(_ txn: Txn, result: ApplyResult, effects: inout [ReplicaEffect]) {
        guard let connection = connectionBySession[txn.header.clientId], let head = connections[connection]?.queue.first
        else { return }
        switch head {
        case .creatingSession(let response):
            guard case .createSession = txn.body else { return }
            _ = connections[connection]!.queue.popFirst()
            effects.append(.connectResponse(connection, response))
        case .write(let cxid, let opCode):
            guard cxid == txn.header.cxid, txn.header.type != OpCode.createSession.rawValue else { return }
            _ = connections[connection]!.queue.popFirst()
            // A multi that ran reports per-op results under a zero header code (ZooKeeper 3.8); one refused whole
            // (an error txn) reports the code with no body.
            let ranAsMulti = opCode == .multi && result.opCode == .multi
            let header = ReplyHeader(xid: cxid, zxid: txn.zxid, err: ranAsMulti ? 0 : result.errorCode)
            effects.append(.reply(connection, header, Self.responseBody(opCode: opCode, result: result)))
            if opCode == .closeSession {
                effects.append(.close(connection, reason: "client closed its session"))
                connections[connection]?.queue.removeAll()
                connectionBySession[txn.header.clientId] = nil
                return
            }
        default:
            return
        }
        drainQueue(connection, effects: &effects)
    }

    /// Answers the local requests at the head of a connection's queue, up to the next write.
    mutating func drainQueue(_ connection: ConnectionID, effects: inout [ReplicaEffect]) {
        while let state = connections[connection], let head = state.queue.first {
            switch head {
            case .write, .creatingSession, .sync:
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
