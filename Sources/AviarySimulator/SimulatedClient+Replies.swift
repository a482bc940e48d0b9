import AviaryConsensus
import AviaryReplica
import AviaryWire

/// What a client checks as answers arrive: replies in xid order on each connection, zxids that never go back
/// for the session, and values consistent with what it wrote and saw acknowledged.
extension SimulatedClient {
    private var name: String { "client \(index)" }

    private var sessionName: String { session.map { "session \(Zxid.hex($0.id))" } ?? "no session" }

    mutating func connectResponse(_ response: ConnectResponse, now: Int64, checker: inout ReplicaSimulationChecker) {
        guard case .connecting(let link, let server) = phase else {
            checker.fail("\(name): a connect response arrived while not connecting")
            return
        }
        lastHeardAt = now
        if response.sessionId == 0 || response.timeOutMillis == 0 {
            // Expired or unknown: the server closes the connection next; start afresh after that.
            if let session { checker.sessionAbandoned(session.id, expired: !session.closeRequested) }
            session = nil
            return
        }
        if response.passwd != SessionPassword.derive(sessionId: response.sessionId) {
            checker.fail("\(name): session \(Zxid.hex(response.sessionId)) came with a password that is not its own")
        }
        if let session {
            if session.id != response.sessionId {
                checker.fail("\(name): reconnected \(sessionName) but was given \(Zxid.hex(response.sessionId))")
            }
            self.session!.timeoutMillis = response.timeOutMillis
        } else {
            sessionsStarted += 1
            session = Session(
                id: response.sessionId, passwd: response.passwd, timeoutMillis: response.timeOutMillis,
                ephemeralPath: "/e\(index)-\(sessionsStarted)")
            checker.sessionStarted(response.sessionId)
        }
        phase = .connected(link: link, server: server)
    }

    /// Returns true when the client drops the connection (its session is gone).
    mutating func reply(
        _ header: ReplyHeader, _ body: ResponseBody, now: Int64, checker: inout ReplicaSimulationChecker
    ) -> Bool {
        lastHeardAt = now
        let server: Int64
        switch phase {
        case .connected(_, let connectedTo):
            server = connectedTo
        case .connecting(_, let connectingTo):
            checker.fail("\(name): reply xid=\(header.xid) from server \(connectingTo) came before its connect response")
            server = connectingTo
        case .idle:
            return false
        }
        guard let position = outstanding.firstIndex(where: { $0.xid == header.xid }) else {
            checker.fail("\(name): reply xid=\(header.xid) from server \(server) answers nothing outstanding")
            return false
        }
        if position != 0 {
            checker.fail(
                "\(name): reply xid=\(header.xid) from server \(server) overtook xid=\(outstanding[0].xid) (per-session FIFO)")
        }
        let entry = outstanding.remove(at: position)
        if header.zxid < lastZxidSeen {
            checker.fail(
                "\(name): \(sessionName) saw zxid \(Zxid.hex(header.zxid)) from server \(server) after \(Zxid.hex(lastZxidSeen))")
        }
        lastZxidSeen = max(lastZxidSeen, header.zxid)
        if header.err == KeeperError.sessionExpired.rawValue {
            if let session { checker.sessionAbandoned(session.id, expired: !session.closeRequested) }
            session = nil
            return true
        }
        if header.err == 0, !isPing(entry.request) { lastSuccessAt = now }
        return handle(entry.request, header, body, server: server, checker: &checker)
    }

    private func isPing(_ request: Request) -> Bool {
        if case .ping = request { return true }
        return false
    }

    private mutating func handle(
        _ request: Request, _ header: ReplyHeader, _ body: ResponseBody, server: Int64,
        checker: inout ReplicaSimulationChecker
    ) -> Bool {
        let error = header.err
        switch request {
        case .ping, .sync:
            break
        case .create(let index):
            paths[index].createInFlight = false
            if error == 0 || error == KeeperError.nodeExists.rawValue {
                paths[index].created = true
                paths[index].acknowledged = max(paths[index].acknowledged, 0)
                if error == 0 { checker.acknowledgedWrites += 1 }
            }
        case .setData(let index, let value):
            if error == 0 {
                paths[index].acknowledged = max(paths[index].acknowledged, value)
                checker.acknowledgedWrites += 1
            } else if error == KeeperError.noNode.rawValue {
                checker.fail("\(name): setData \(paths[index].path) on server \(server): the acknowledged node is gone")
            }
        case .getData(let index, let atLeast):
            checker.readsChecked += 1
            let path = paths[index]
            if error == KeeperError.noNode.rawValue {
                checker.fail(
                    "\(name): \(path.path) missing on server \(server) at \(Zxid.hex(header.zxid)) after its create was acknowledged")
            } else if error == 0, case .getData(let data, _) = body {
                let value = Self.decode(data)
                if value == nil || value! < atLeast {
                    checker.fail(
                        "\(name): read \(path.path) = \(value.map(String.init) ?? "?") on server \(server) at "
                            + "\(Zxid.hex(header.zxid)) after \(atLeast) was acknowledged")
                } else if value! > path.issued {
                    checker.fail("\(name): read \(path.path) = \(value!) on server \(server), a value never written")
                }
            }
        case .createEphemeral(let path):
            session?.ephemeralInFlight = false
            if error == 0 || error == KeeperError.nodeExists.rawValue, let session {
                self.session!.ephemeralCreated = true
                acknowledgedEphemerals.append((session.id, path))
                if error == 0 { checker.acknowledgedWrites += 1 }
            }
        case .getEphemeral(let path):
            checker.readsChecked += 1
            if error == KeeperError.noNode.rawValue {
                checker.fail(
                    "\(name): ephemeral \(path) of live \(sessionName) missing on server \(server) at \(Zxid.hex(header.zxid))")
            } else if error == 0, case .getData(_, let stat) = body, stat.ephemeralOwner != session?.id {
                checker.fail("\(name): ephemeral \(path) is owned by \(Zxid.hex(stat.ephemeralOwner)), not \(sessionName)")
            }
        case .closeSession:
            if let session { checker.sessionAbandoned(session.id, expired: false) }
            session = nil
            return true
        }
        return false
    }
}
