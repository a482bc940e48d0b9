import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryStorage
import AviaryTransport
import AviaryWire
import Foundation
import Logging
import NIOCore

extension ReplicaEffect {
    /// Effects that must find every earlier log append handed to the log writer first.
    var isStorageBarrier: Bool {
        switch self {
        case .truncateLog, .saveSnapshot: true
        default: false
        }
    }
}

/// The ensemble half of the driver: carrying out the replica's peer and storage effects, and feeding it what
/// the peers send. Everything here runs on the driver's event loop.
extension ReplicaDriver {
    func executeEnsemble(_ effect: ReplicaEffect) {
        guard let ensemble else { return }
        switch effect {
        case .sendNotification(let peer, let notification):
            ensemble.send(notification, to: peer)
        case .sendToPeer(let peer, let packet):
            guard let connection = ensemble.connection(to: peer) else { return }
            let lastZxid = replica.consensus?.lastLoggedZxid ?? replica.lastProcessedZxid
            ensemble.enqueue([.packet(ensemble.quorumPacket(for: packet, lastZxid: lastZxid))], to: connection)
        case .sendSnapshot(let peer, let zxid, let snapshot):
            guard let connection = ensemble.connection(to: peer) else { return }
            logger.info("sending a snapshot", metadata: ["learner": "\(peer)", "zxid": "\(Zxid.hex(zxid))", "bytes": "\(snapshot.readableBytes)"])
            ensemble.enqueue(LearnerStreamItem.snapshotSync(zxid: zxid, snapshot: snapshot), to: connection)
        case .connectToLeader(let leader):
            dialLeader(leader)
        case .disconnectPeer(let peer, let reason):
            logger.info("closing learner connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
            ensemble.flush()
            if let current = ensemble.leader, current.sid == peer {
                ensemble.leader = nil
                current.connection.close()
            }
            ensemble.dialGeneration += 1
            if let connection = ensemble.learnerBySid.removeValue(forKey: peer) {
                ensemble.sidByConnection[connection] = nil
                connection.close()
            }
        case .persistAcceptedEpoch(let epoch):
            persist { try $0.writeAcceptedEpoch(epoch) }
        case .persistCurrentEpoch(let epoch):
            persist { try $0.writeCurrentEpoch(epoch) }
        case .truncateLog(let zxid, let reloadState):
            truncateLog(after: zxid, reloadState: reloadState)
        case .saveSnapshot:
            saveSnapshotAndRollLog()
        case .servingStateChanged(let state):
            logger.info("ensemble role changed", metadata: ["state": "\(state)", "zxid": "\(Zxid.hex(replica.lastProcessedZxid))"])
            releaseParkedLearners(now: state)
        case .connectResponse, .reply, .notification, .close, .appendToLog:
            break
        }
    }

    /// Sends what the last steps queued for peers once the loop has run the tasks already waiting, so packets
    /// that arrive together are answered together.
    func scheduleQuorumFlush() {
        guard let ensemble, ensemble.hasOutgoing, !ensemble.flushScheduled else { return }
        ensemble.flushScheduled = true
        eventLoop.execute { [self] in
            guard let ensemble = self.ensemble else { return }
            ensemble.flushScheduled = false
            ensemble.flush()
        }
    }

    // MARK: - Storage barriers

    private func persist(_ write: (EpochFiles) throws -> Void) {
        guard let snapshots else { return }
        do {
            try write(snapshots.directory.epochs)
        } catch {
            // An epoch that cannot be made durable would let this server vote against what it promised.
            logger.critical("cannot write an epoch file; stopping", metadata: ["error": "\(error)"])
            exit(3)
        }
    }

    /// TRUNC: the leader's history ends at `zxid` where ours goes on. The log writer stops, the files are cut,
    /// and when we had applied some of the dropped txns the state is rebuilt from disk.
    private func truncateLog(after zxid: Int64, reloadState: Bool) {
        guard let snapshots else { return }
        let directory = snapshots.directory
        stopLog()
        do {
            let touched = try TxnLogFiles.truncateLog(in: directory.logDirectory, after: zxid)
                + directory.removeSnapshots(after: zxid)
            logger.notice("truncated the log to the leader's history", metadata: ["after": "\(Zxid.hex(zxid))", "files": "\(touched)"])
            if reloadState {
                let recovered = try directory.recover()
                replica.install(tree: recovered.tree, sessions: recovered.sessions.map { ($0.id, $0.timeoutMillis) })
                logger.notice("state rebuilt from disk after truncation", metadata: ["zxid": "\(Zxid.hex(recovered.lastZxid))"])
            }
            startLog(writer: try ServerStorage.openWriter(directory: directory, configuration: configuration, lastLoggedZxid: zxid))
        } catch {
            logger.critical("cannot truncate the transaction log; stopping", metadata: ["error": "\(error)"])
            exit(3)
        }
    }

    /// SNAP installed: write it as a snapshot before acknowledging, and log what follows in a new segment.
    private func saveSnapshotAndRollLog() {
        guard let snapshots else { return }
        stopLog()
        do {
            try snapshots.snapshotNow(tree: replica.tree, sessions: replica.sessionTimeouts)
            startLog(
                writer: try ServerStorage.openWriter(
                    directory: snapshots.directory, configuration: configuration,
                    lastLoggedZxid: replica.tree.lastProcessedZxid))
        } catch {
            logger.critical("cannot save the leader's snapshot; stopping", metadata: ["error": "\(error)"])
            exit(3)
        }
    }

    // MARK: - Peers

    private var isLeaderRole: Bool {
        guard let ensemble else { return false }
        return replica.servingState == .synchronizing(leader: ensemble.myId) || replica.servingState == .leading
    }

    /// Hands parked FOLLOWERINFOs to the new leader (in the next step, not in the middle of this one), or turns
    /// them away once another server leads.
    private func releaseParkedLearners(now state: ServingState) {
        guard let ensemble, !ensemble.parked.isEmpty else { return }
        switch state {
        case .synchronizing(let leader) where leader == ensemble.myId:
            eventLoop.execute { [self] in
                guard let ensemble = self.ensemble, isLeaderRole else { return }
                let parked = ensemble.parked.sorted { $0.value.sid < $1.value.sid }
                ensemble.parked.removeAll()
                for (connection, entry) in parked where ensemble.sidByConnection[connection] == entry.sid {
                    run(.learnerPacket(entry.packet, from: entry.sid))
                }
                flushWrittenConnections()
            }
        case .looking:
            break
        default:
            for connection in ensemble.parked.keys { connection.close() }
            ensemble.parked.removeAll()
        }
    }

    func electionReceived(_ received: ReceivedNotification) {
        guard let notification = EnsembleLinks.notification(from: received.notification) else { return }
        run(.notification(notification, from: received.senderId))
        flushWrittenConnections()
    }

    private func dialLeader(_ leaderId: Int64) {
        guard let ensemble, let member = ensemble.members[leaderId] else {
            run(.peerConnectionLost(leaderId))
            return
        }
        ensemble.dialGeneration += 1
        let generation = ensemble.dialGeneration
        let address = member.addresses[0]
        let group = ensemble.quorumGroup
        let packetBytesMax = ensemble.packetBytesMax
        let security = ensemble.security
        let logger = self.logger
        let loop = eventLoop
        Task {
            do {
                let connection = try await LearnerConnector.connect(
                    group: group, host: address.host, port: address.quorumPort, packetBytesMax: packetBytesMax,
                    retry: .init(attempts: 5, delay: .milliseconds(500), connectTimeout: .seconds(5)),
                    security: security, logger: logger
                ) { [self] event in
                    loop.execute { self.learnerEvent(event) }
                }
                loop.execute { self.leaderDialed(leaderId, connection: connection, generation: generation) }
            } catch {
                loop.execute {
                    guard self.ensemble?.dialGeneration == generation else { return }
                    logger.warning("cannot connect to the leader", metadata: ["leader": "\(leaderId)", "error": "\(error)"])
                    self.run(.peerConnectionLost(leaderId))
                }
            }
        }
    }

    private func leaderDialed(_ leaderId: Int64, connection: LearnerConnection, generation: Int) {
        guard let ensemble, ensemble.dialGeneration == generation else {
            connection.close()
            return
        }
        ensemble.leader = (leaderId, connection)
        ensemble.pendingSnapZxid = nil
        run(.connectedToLeader(leaderId))
    }

    func learnerEvent(_ event: LearnerConnectionEvent) {
        guard let ensemble else { return }
        switch event {
        case .opened:
            break
        case .received(let connection, let item):
            if let leader = ensemble.leader, leader.connection == connection {
                receivedFromLeader(item, leader: leader.sid)
            } else {
                receivedFromLearner(item, on: connection)
            }
        case .closed(let connection, let reason):
            if let leader = ensemble.leader, leader.connection == connection {
                ensemble.leader = nil
                logger.info("leader connection closed", metadata: ["leader": "\(leader.sid)", "reason": "\(reason ?? "closed")"])
                run(.peerConnectionLost(leader.sid))
            } else if let sid = ensemble.sidByConnection.removeValue(forKey: connection) {
                ensemble.parked[connection] = nil
                if ensemble.learnerBySid[sid] == connection { ensemble.learnerBySid[sid] = nil }
                logger.info("learner connection closed", metadata: ["learner": "\(sid)", "reason": "\(reason ?? "closed")"])
                run(.peerConnectionLost(sid))
            }
        }
        flushWrittenConnections()
    }

    private func receivedFromLeader(_ item: LearnerStreamItem, leader: Int64) {
        guard let ensemble else { return }
        switch item {
        case .snapshot(let data):
            guard let zxid = ensemble.pendingSnapZxid else { return }
            ensemble.pendingSnapZxid = nil
            run(.snapshotReceived(zxid: zxid, data, from: leader))
        case .packet(let packet):
            if packet.packetType == .snap {
                // The snapshot follows on the stream; the replica takes both at once.
                ensemble.pendingSnapZxid = packet.zxid
                return
            }
            if packet.packetType == .ping { ensemble.lastLeaderPingZxid = packet.zxid }
            do {
                run(.learnerPacket(try LearnerPacketCodec.decode(packet), from: leader))
            } catch {
                logger.warning("closing leader connection over a bad packet", metadata: ["error": "\(error)"])
                ensemble.leader?.connection.close()
            }
        }
    }

    private func receivedFromLearner(_ item: LearnerStreamItem, on connection: LearnerConnection) {
        guard let ensemble, case .packet(let packet) = item else {
            connection.close()
            return
        }
        let decoded: LearnerPacket
        do {
            decoded = try LearnerPacketCodec.decode(packet)
        } catch {
            logger.warning("closing learner connection over a bad packet", metadata: ["error": "\(error)", "peer": "\(connection)"])
            connection.close()
            return
        }
        if case .learnerInfo(let serverId, _) = decoded {
            guard let sid = serverId, ensemble.members[sid] != nil, sid != ensemble.myId else {
                logger.warning("refusing a learner that is not a member", metadata: ["peer": "\(connection)"])
                connection.close()
                return
            }
            if let previous = ensemble.learnerBySid[sid], previous != connection {
                ensemble.sidByConnection[previous] = nil
                ensemble.parked[previous] = nil
                previous.close()
                run(.peerConnectionLost(sid))
            }
            ensemble.learnerBySid[sid] = connection
            ensemble.sidByConnection[connection] = sid
            if isLeaderRole {
                run(.learnerPacket(decoded, from: sid))
            } else {
                ensemble.parked[connection] = (sid, decoded)
            }
            return
        }
        guard let sid = ensemble.sidByConnection[connection] else {
            connection.close()
            return
        }
        run(.learnerPacket(decoded, from: sid))
    }
}
