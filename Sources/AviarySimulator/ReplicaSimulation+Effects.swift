import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryWire
import NIOCore

/// The shell around each replica: one input at a time, its effects carried out in order as the real driver
/// carries them out (`ReplicaDriver.run` and `executeEnsemble`), then the per-step checks.
extension ReplicaSimulation {
    mutating func feed(_ id: Int64, _ input: ReplicaInput) {
        let index = Int(id - 1)
        guard var replica = nodes[index].replica else { return }
        // Out of the array while it steps, so its tree is not copied on write.
        nodes[index].replica = nil
        let effects = replica.handle(input, now: Self.wallClockBase + now)
        nodes[index].replica = replica
        report.steps += 1
        report.mix(now)
        report.mix(id)
        if options.trace, let line = Self.describe(input) { print("\(now) s\(id) <- \(line)") }
        var treeReplaced = false
        for effect in effects {
            if options.trace, let line = Self.describe(effect) { print("\(now) s\(id) -> \(line)") }
            execute(effect, at: id, treeReplaced: &treeReplaced)
        }
        report.mix(nodes[index].replica?.tree.lastProcessedZxid ?? -1)
        checker.checkStep(&nodes[index], treeReplaced: treeReplaced)
    }

    private mutating func execute(_ effect: ReplicaEffect, at id: Int64, treeReplaced: inout Bool) {
        let index = Int(id - 1)
        switch effect {
        case .connectResponse(let link, let response):
            sendToClient(.connectResponse(response), on: link)
        case .reply(let link, let header, let body):
            sendToClient(.reply(header, body), on: link)
        case .notification(let link, let event):
            sendToClient(.notification(event), on: link)
        case .close(let link, _):
            serverCloses(link)
        case .appendToLog(let txn):
            append(txn, at: id)
        case .sendNotification(let peer, let notification):
            sendNotification(notification, from: id, to: peer)
        case .sendToPeer(let peer, let packet):
            let replica = nodes[index].replica!
            let wire = LearnerWire.packet(
                for: packet, myId: id, lastZxid: replica.consensus?.lastLoggedZxid ?? replica.lastProcessedZxid,
                lastLeaderPingZxid: nodes[index].lastLeaderPingZxid)
            sendLearnerItem(.packet(wire), from: id, to: peer)
        case .sendSnapshot(let peer, let zxid, let data):
            report.snapshotSyncs += 1
            sendLearnerItem(.snapshot(zxid: zxid, data), from: id, to: peer)
        case .connectToLeader(let leader):
            startDial(learner: id, leader: leader)
        case .disconnectPeer(let peer, _):
            nodes[index].dialGeneration += 1
            if let link = nodes[index].learnerLinks[peer] { closeLearnerLink(link, by: id) }
        case .persistAcceptedEpoch(let epoch):
            nodes[index].disk.acceptedEpoch = epoch
        case .persistCurrentEpoch(let epoch):
            nodes[index].disk.currentEpoch = epoch
        case .truncateLog(let zxid, let reloadState):
            report.truncations += 1
            replaceLogWriter(at: index)
            nodes[index].disk.truncate(after: zxid)
            if reloadState {
                report.reloads += 1
                let recovered = nodes[index].disk.recover()
                nodes[index].replica!.install(tree: recovered.tree, sessions: recovered.sessions)
                treeReplaced = true
            }
        case .saveSnapshot:
            // SNAP: the replica installed the leader's state; it is written before anything is acknowledged.
            replaceLogWriter(at: index)
            let replica = nodes[index].replica!
            nodes[index].disk.saveSnapshot(tree: replica.tree, sessions: replica.sessionTimeouts)
            nodes[index].txnsSinceSnapshot = 0
            treeReplaced = true
        case .servingStateChanged(let state):
            if state == .leading { report.elections += 1 }
        }
    }

    // MARK: - Storage

    /// Appends go to the log writer at once. It syncs in batches: what is queued when a sync starts is made
    /// durable together, what arrives meanwhile waits for the next one (group commit).
    private mutating func append(_ txn: Txn, at id: Int64) {
        let index = Int(id - 1)
        let last = nodes[index].disk.lastLoggedZxid
        if txn.zxid <= last {
            checker.fail("server \(id) logs \(Zxid.hex(txn.zxid)) after \(Zxid.hex(last))")
        }
        nodes[index].disk.unsyncedLog.append(txn)
        checker.recordLogged(txn)
        if nodes[index].batchBeingSynced == 0 { startSync(at: index) }
    }

    private mutating func startSync(at index: Int) {
        nodes[index].batchBeingSynced = nodes[index].disk.unsyncedLog.count
        queue.schedule(
            .diskSynced(nodes[index].id, incarnation: nodes[index].incarnation, logGeneration: nodes[index].logGeneration),
            at: now + latency(options.diskSyncMillis))
    }

    /// A storage barrier stops the log writer, which writes out all it holds; its durability report is never
    /// delivered (the real driver ignores reports from a replaced writer).
    private mutating func replaceLogWriter(at index: Int) {
        nodes[index].disk.sync()
        nodes[index].logGeneration += 1
        nodes[index].batchBeingSynced = 0
    }

    /// A batch is durable: report it, start the next batch if more is queued, and when the log rolls, snapshot
    /// the tree as it is after the report (possibly ahead of the log: a follower applies what a quorum of
    /// others acknowledged before its own sync).
    mutating func diskSynced(_ id: Int64, incarnation: Int, logGeneration: Int) {
        let index = Int(id - 1)
        guard nodes[index].isRunning, nodes[index].incarnation == incarnation, nodes[index].logGeneration == logGeneration
        else { return }
        let count = nodes[index].batchBeingSynced
        nodes[index].batchBeingSynced = 0
        guard let zxid = nodes[index].disk.sync(first: count) else { return }
        feed(id, .logAppended(through: zxid))
        guard let replica = nodes[index].replica else { return }
        if nodes[index].batchBeingSynced == 0 && !nodes[index].disk.unsyncedLog.isEmpty { startSync(at: index) }
        nodes[index].txnsSinceSnapshot += count
        if nodes[index].txnsSinceSnapshot >= nodes[index].snapshotAfterTxns {
            nodes[index].txnsSinceSnapshot = 0
            nodes[index].snapshotAfterTxns = snapshotInterval()
            nodes[index].disk.saveSnapshot(tree: replica.tree, sessions: replica.sessionTimeouts)
        }
    }

    // MARK: - Trace

    static func describe(_ input: ReplicaInput) -> String? {
        switch input {
        case .clock, .tick, .learnerPacket(.consensus(.ping), _), .learnerPacket(.pingReply, _): nil
        case .connect(let link, let request, _, _): "connect c\(link) session=\(Zxid.hex(request.sessionId))"
        case .request(let link, let header, let request, _):
            header.xid == SpecialXid.ping ? nil : "request c\(link) xid=\(header.xid) \(request.opCode)"
        case .disconnected(let link): "disconnected c\(link)"
        case .logAppended(let zxid): "durable \(Zxid.hex(zxid))"
        case .start: "start"
        case .notification(let notification, let from): "notification from \(from): \(notification)"
        case .learnerPacket(let packet, let from): "from \(from): \(describe(packet))"
        case .snapshotReceived(let zxid, let data, let from): "snapshot \(Zxid.hex(zxid)) (\(data.readableBytes) bytes) from \(from)"
        case .connectedToLeader(let leader): "connected to leader \(leader)"
        case .peerConnectionLost(let peer): "lost connection with \(peer)"
        default: "\(input)"
        }
    }

    static func describe(_ effect: ReplicaEffect) -> String? {
        switch effect {
        case .sendToPeer(_, .consensus(.ping)), .sendToPeer(_, .pingReply), .sendNotification: nil
        case .reply(let link, let header, _):
            header.xid == SpecialXid.ping ? nil : "reply c\(link) xid=\(header.xid) zxid=\(Zxid.hex(header.zxid)) err=\(header.err)"
        case .connectResponse(let link, let response): "connected c\(link) session=\(Zxid.hex(response.sessionId))"
        case .close(let link, let reason): "close c\(link): \(reason)"
        case .appendToLog(let txn): "append \(Zxid.hex(txn.zxid)) \(ReplicaSimulationChecker.describe(txn))"
        case .sendToPeer(let peer, let packet): "to \(peer): \(describe(packet))"
        case .sendSnapshot(let peer, let zxid, _): "to \(peer): SNAP \(Zxid.hex(zxid))"
        case .truncateLog(let zxid, let reload): "truncate after \(Zxid.hex(zxid))\(reload ? ", reload" : "")"
        case .disconnectPeer(let peer, let reason): "disconnect \(peer): \(reason)"
        default: "\(effect)"
        }
    }

    static func describe(_ packet: LearnerPacket) -> String {
        switch packet {
        case .consensus(let message), .learnerInfo(_, let message): "\(message)"
        case .pingReply(let touches): "PING reply (\(touches.touches.count) sessions)"
        case .forwardedRequest(let request, _):
            "REQUEST session=\(Zxid.hex(request.sessionId)) cxid=\(request.cxid) type=\(request.type)"
        case .revalidate(let request): "REVALIDATE \(Zxid.hex(request.sessionId))"
        case .revalidated(let reply): "REVALIDATE \(Zxid.hex(reply.sessionId)) valid=\(reply.valid)"
        }
    }
}
