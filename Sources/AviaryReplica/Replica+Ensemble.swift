import AviaryConsensus
import AviaryDataTree
import AviaryWire
import DequeModule
import NIOCore

/// The replica as an ensemble member: it runs the consensus core and carries out what concerns its own state
/// (applying deliveries, SNAP, the serving state) before handing the rest to the shell.
extension Replica {
    /// Runs one consensus input and translates its effects, in order.
    mutating func runConsensus(
        _ step: (inout QuorumPeer<Txn>) -> [ConsensusEffect<Txn>], now: Int64, effects: inout [ReplicaEffect]
    ) {
        guard consensus != nil else { return }
        let produced = step(&consensus!)
        for effect in produced {
            carryOut(effect, now: now, effects: &effects)
        }
    }

    private mutating func carryOut(_ effect: ConsensusEffect<Txn>, now: Int64, effects: inout [ReplicaEffect]) {
        switch effect {
        case .sendNotification(let peer, let notification):
            effects.append(.sendNotification(to: peer, notification))
        case .send(let peer, .snap(let zxid)):
            effects.append(.sendSnapshot(to: peer, zxid: zxid, SnapshotTransfer.encode(tree: tree, sessions: sessionTimeouts)))
        case .send(let peer, .ping) where leaderToForwardTo == peer || consensus?.servingState == .synchronizing(leader: peer):
            // A learner answers the leader's heartbeat with the sessions its clients kept alive.
            let touches = touchedSessions.sorted { $0.key < $1.key }.map {
                SessionTouches.Touch(sessionId: $0.key, timeoutMillis: $0.value)
            }
            touchedSessions.removeAll(keepingCapacity: true)
            effects.append(.sendToPeer(peer, .pingReply(SessionTouches(touches))))
        case .send(let peer, let message):
            effects.append(.sendToPeer(peer, .consensus(message)))
        case .connectToLeader(let leader):
            effects.append(.connectToLeader(leader))
        case .disconnect(let peer, let reason):
            effects.append(.disconnectPeer(peer, reason: reason))
        case .persistAcceptedEpoch(let epoch):
            effects.append(.persistAcceptedEpoch(epoch))
        case .persistCurrentEpoch(let epoch):
            effects.append(.persistCurrentEpoch(epoch))
        case .truncateLog(let zxid):
            effects.append(.truncateLog(after: zxid, reloadState: tree.lastProcessedZxid > zxid))
        case .saveSnapshot:
            effects.append(.saveSnapshot)
        case .appendToLog(_, let txn):
            effects.append(.appendToLog(txn))
        case .deliver(_, let txn):
            applyCommitted(txn, effects: &effects)
        case .servingStateChanged(let state):
            servingStateChanged(to: state, effects: &effects)
            effects.append(.servingStateChanged(state))
        }
    }

    /// Leaving a serving state drops every client, as ZooKeeper restarts its request pipeline: what they had in
    /// flight may or may not commit, and they learn it from another server. A new leader gives every session a
    /// full lease, since it cannot know when followers last heard from them.
    private mutating func servingStateChanged(to state: ServingState, effects: inout [ReplicaEffect]) {
        for connection in connections.keys.sorted() {
            effects.append(.close(connection, reason: "server is \(Self.describe(state)); reconnect elsewhere"))
            disconnect(connection)
        }
        pending = PendingChanges()
        touchedSessions.removeAll()
        pendingRevalidations.removeAll()
        pendingSyncs.removeAll()
        for session in readOnlySessions { sessions.remove(session) }
        readOnlySessions.removeAll()
        lookingSinceMillis = clockMillis
        sessionOwners.removeAll()
        // A closeSession this server proposed as leader may never commit; until one is applied the session lives
        // on (ZooKeeper rebuilds its session tracker from the database at every role change).
        for session in sessions.sessions.values.sorted(by: { $0.id < $1.id }) where session.isClosing {
            sessions.add(id: session.id, timeoutMillis: session.timeoutMillis, now: currentTick)
        }
        if state == .leading {
            sessions.renewAll(now: currentTick)
        }
    }

    private static func describe(_ state: ServingState) -> String {
        switch state {
        case .looking: "electing a leader"
        case .synchronizing(let leader): "synchronizing with leader \(leader)"
        case .leading: "now leading"
        case .following(let leader): "now following \(leader)"
        case .observing(let leader): "now observing \(leader)"
        }
    }

    mutating func forward(_ request: ForwardedRequest, authInfo: [Id], to leader: Int64, effects: inout [ReplicaEffect]) {
        effects.append(.sendToPeer(leader, .forwardedRequest(request, authInfo: authInfo)))
    }

    // MARK: - Learner-port packets

    mutating func receive(_ packet: LearnerPacket, from sender: Int64, now: Int64, effects: inout [ReplicaEffect]) {
        switch packet {
        case .consensus(let message):
            runConsensus({ $0.receive(message, from: sender) }, now: now, effects: &effects)
            if case .sync = message, leaderToForwardTo == sender {
                syncArrived(effects: &effects)
            }
        case .learnerInfo(_, let message):
            runConsensus({ $0.receive(message, from: sender) }, now: now, effects: &effects)
        case .pingReply(let touches):
            if consensus?.isLeaderServing == true {
                for touch in touches.touches {
                    sessions.touch(touch.sessionId, now: currentTick, timeoutMillis: touch.timeoutMillis)
                }
            }
            runConsensus({ $0.receive(.ping, from: sender) }, now: now, effects: &effects)
        case .forwardedRequest(let request, let authInfo):
            leaderReceive(request, authInfo: authInfo, from: sender, now: now, effects: &effects)
        case .revalidate(let request):
            guard consensus?.isLeaderServing == true else { return }
            let valid = sessions.touch(request.sessionId, now: currentTick, timeoutMillis: request.timeoutMillis)
            if valid { sessionOwners[request.sessionId] = .learner(sender) }
            effects.append(.sendToPeer(sender, .revalidated(RevalidateReply(sessionId: request.sessionId, valid: valid))))
        case .revalidated(let reply):
            guard leaderToForwardTo == sender, let waiting = pendingRevalidations.removeValue(forKey: reply.sessionId),
                connections[waiting.connection] != nil
            else { return }
            if reply.valid {
                effects.append(.connectResponse(waiting.connection, waiting.response))
                let arrived = connections[waiting.connection]!.awaitingSession
                connections[waiting.connection]!.awaitingSession.removeAll()
                for item in arrived {
                    receive(waiting.connection, item.header, item.request, identity: item.identity, now: now, effects: &effects)
                }
            } else {
                reject(
                    waiting.connection, sessionId: reply.sessionId, hasReadOnlyByte: waiting.response.hasReadOnlyByte,
                    effects: &effects)
            }
        }
    }

    /// The leader's SYNC answers the oldest forwarded `sync`: everything committed before it is applied here.
    private mutating func syncArrived(effects: inout [ReplicaEffect]) {
        while let connection = pendingSyncs.popFirst() {
            guard let state = connections[connection],
                let index = state.queue.firstIndex(where: { if case .sync = $0 { true } else { false } }),
                case .sync(let header, let request, let authInfo) = state.queue[index]
            else { continue }
            connections[connection]!.queue[index] = .local(header, request, authInfo: authInfo)
            drainQueue(connection, effects: &effects)
            return
        }
    }

    /// A request a learner forwarded: the leader orders it like one of its own clients' (ZooKeeper's
    /// PrepRequestProcessor on the leader).
    private mutating func leaderReceive(
        _ forwarded: ForwardedRequest, authInfo: [Id], from learner: Int64, now: Int64, effects: inout [ReplicaEffect]
    ) {
        guard consensus?.isLeaderServing == true else { return }
        let sessionId = forwarded.sessionId
        let opCode = OpCode(rawValue: forwarded.type)
        func orderError(_ error: KeeperError) {
            let header = TxnHeader(clientId: sessionId, cxid: forwarded.cxid, zxid: 0, time: now, type: OpCode.error.rawValue)
            _ = submit(header: header, body: .error(error.rawValue), effects: &effects)
        }
        switch opCode {
        case .sync:
            runConsensus({ $0.requestSync(for: learner) }, now: now, effects: &effects)
        case .createSession:
            var data = forwarded.request
            guard let timeout = data.readInteger(as: Int32.self) else {
                orderError(.marshallingError)
                return
            }
            let header = TxnHeader(
                clientId: sessionId, cxid: forwarded.cxid, zxid: 0, time: now, type: OpCode.createSession.rawValue)
            if submit(header: header, body: .createSession(timeOutMillis: timeout), effects: &effects) {
                sessionOwners[sessionId] = .learner(learner)
            }
        case .some(let opCode) where opCode.isWrite:
            var reader = JuteReader(forwarded.request)
            guard let request = try? ClientRequest.decode(opCode: opCode, from: &reader) else {
                orderError(.marshallingError)
                return
            }
            guard sessions.isActive(sessionId) else {
                orderError(.sessionExpired)
                return
            }
            // closeSession is not checked: the session ends whichever server asks (ZooKeeper does the same).
            guard opCode == .closeSession || isOwned(sessionId, by: .learner(learner)) else {
                orderError(.sessionMoved)
                return
            }
            _ = orderWrite(request, sessionId: sessionId, cxid: forwarded.cxid, authInfo: authInfo, now: now, effects: &effects)
        default:
            // Reads are served where they arrive; a learner has no reason to forward one.
            return
        }
    }

    // MARK: - State transfer

    /// SNAP: the leader's state replaces ours before the consensus core records it.
    mutating func installSnapshot(
        zxid: Int64, data: ByteBuffer, from sender: Int64, now: Int64, effects: inout [ReplicaEffect]
    ) {
        guard leaderToForwardTo == nil, case .synchronizing(let leader) = consensus?.servingState, leader == sender else {
            return
        }
        do {
            let transferred = try SnapshotTransfer.decode(data, zxid: zxid)
            install(tree: transferred.tree, sessions: transferred.sessions)
        } catch {
            effects.append(.disconnectPeer(sender, reason: "unreadable snapshot from the leader: \(error)"))
            runConsensus({ $0.connectionLost(sender) }, now: now, effects: &effects)
            return
        }
        runConsensus({ $0.receive(.snap(zxid: zxid), from: sender) }, now: now, effects: &effects)
    }

    /// Replaces the state: a SNAP from the leader, or the state rebuilt from disk after a truncation. No client is
    /// connected while this happens (the server is synchronizing).
    public mutating func install(tree: DataTree, sessions restored: [(id: Int64, timeoutMillis: Int32)]) {
        self.tree = tree
        pending = PendingChanges()
        nextZxid = tree.lastProcessedZxid + 1
        sessions.removeAll()
        for session in restored {
            sessions.add(id: session.id, timeoutMillis: session.timeoutMillis, now: currentTick)
        }
    }
}
