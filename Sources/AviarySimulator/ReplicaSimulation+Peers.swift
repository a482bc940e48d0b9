import AviaryConsensus
import AviaryReplica
import AviaryWire

/// The quorum network: election messages (lossy, the latest held across a partition as ZooKeeper's send queue
/// holds it) and learner connections. A learner dials its leader with retries; the leader's shell learns who
/// is on a connection from its FOLLOWERINFO; each end keeps the connection it uses per peer, and a broken or
/// closed one becomes `.peerConnectionLost` only at an end still using it, as in `ReplicaDriver+Ensemble`.
extension ReplicaSimulation {
    func serversCut(_ a: Int64, _ b: Int64) -> Bool {
        guard let side = partitionSide else { return false }
        return side.contains(a) != side.contains(b)
    }

    // MARK: - Election

    mutating func sendNotification(_ notification: Notification, from: Int64, to: Int64) {
        let key = StreamKey.election(from: from, to: to)
        if serversCut(from, to) {
            heldNotifications[key] = notification
            return
        }
        guard !random.chance(options.notificationLossProbability) else { return }
        queue.schedule(.notification(from: from, to: to, notification), at: fifoTime(key))
    }

    mutating func releaseHeldNotifications() {
        let held = heldNotifications.sorted { Self.order($0.key).lexicographicallyPrecedes(Self.order($1.key)) }
        heldNotifications.removeAll()
        for (key, notification) in held {
            guard case .election(let from, let to) = key, node(from).isRunning else { continue }
            queue.schedule(.notification(from: from, to: to, notification), at: fifoTime(key))
        }
    }

    private static func order(_ key: StreamKey) -> [Int64] {
        if case .election(let from, let to) = key { return [from, to] }
        return []
    }

    // MARK: - Dialling the leader

    mutating func startDial(learner: Int64, leader: Int64) {
        let index = Int(learner - 1)
        nodes[index].dialGeneration += 1
        queue.schedule(
            .dial(
                learner: learner, leader: leader, incarnation: nodes[index].incarnation,
                generation: nodes[index].dialGeneration, attempt: 1),
            at: now + delay())
    }

    /// One connection attempt: it opens if the other server runs and is reachable (whether it leads is its
    /// replica's business); refused or timed out, it is retried, and after the last attempt reported lost.
    mutating func dial(learner: Int64, leader: Int64, incarnation: Int, generation: Int, attempt: Int) {
        let index = Int(learner - 1)
        guard nodes[index].isRunning, nodes[index].incarnation == incarnation, nodes[index].dialGeneration == generation
        else { return }
        guard node(leader).isRunning, !serversCut(learner, leader) else {
            if attempt < options.dialAttempts {
                // A refused connection fails at once; one into a partition waits for its connect timeout.
                let wait = node(leader).isRunning ? options.dialRetryMillis * 2 : options.dialRetryMillis
                queue.schedule(
                    .dial(learner: learner, leader: leader, incarnation: incarnation, generation: generation, attempt: attempt + 1),
                    at: now + wait)
            } else {
                feed(learner, .peerConnectionLost(leader))
            }
            return
        }
        if let previous = nodes[index].learnerLinks[leader] { closeLearnerLink(previous, by: learner) }
        let link = LearnerLink(id: nextLearnerLink, learner: learner, leader: leader)
        nextLearnerLink += 1
        learnerLinks[link.id] = link
        nodes[index].learnerLinks[leader] = link.id
        feed(learner, .connectedToLeader(leader))
    }

    // MARK: - Learner connections

    mutating func sendLearnerItem(_ item: LearnerItem, from: Int64, to: Int64) {
        guard let id = node(from).learnerLinks[to], let link = learnerLinks[id], !link.broken,
            !link.closedBy.contains(from)
        else { return }
        if serversCut(from, to) {
            // A partition breaks the stream: nothing sent from now on arrives, as with a dead TCP connection.
            breakLearnerLink(id, noticeAfter: partitionNoticeDelay())
            return
        }
        queue.schedule(.learnerItem(link: id, from: from, to: to, item), at: fifoTime(.learner(link: id, from: from)))
    }

    mutating func deliver(_ item: LearnerItem, on id: Int, from: Int64, to: Int64) {
        guard let link = learnerLinks[id], !link.broken, !link.closedBy.contains(to), node(to).isRunning else { return }
        let index = Int(to - 1)
        let current = nodes[index].learnerLinks[from] == id
        switch item {
        case .closed:
            learnerLinks[id]!.closedBy.insert(to)
            guard current else { return }
            nodes[index].learnerLinks[from] = nil
            feed(to, .peerConnectionLost(from))
        case .snapshot(let zxid, let data):
            guard current else { return }
            feed(to, .snapshotReceived(zxid: zxid, data, from: from))
        case .packet(let wire):
            let packet: LearnerPacket
            do {
                packet = try LearnerPacketCodec.decode(wire)
            } catch {
                checker.fail("server \(to) cannot read \(wire) from \(from): \(error)")
                closeLearnerLink(id, by: to)
                return
            }
            if to == link.learner, current, wire.packetType == .ping { nodes[index].lastLeaderPingZxid = wire.zxid }
            if to == link.leader, case .learnerInfo(let serverId, _) = packet {
                if serverId != from {
                    checker.fail("server \(from) names itself \(serverId.map(String.init) ?? "nobody") in its FOLLOWERINFO")
                }
                // FOLLOWERINFO names the learner; a connection it had before is closed and reported lost.
                if let previous = nodes[index].learnerLinks[from], previous != id {
                    closeLearnerLink(previous, by: to)
                    feed(to, .peerConnectionLost(from))
                }
                nodes[index].learnerLinks[from] = id
                feed(to, .learnerPacket(packet, from: from))
            } else if current {
                feed(to, .learnerPacket(packet, from: from))
            } else if to == link.leader {
                // A packet on a connection no FOLLOWERINFO named: the real shell closes it.
                closeLearnerLink(id, by: to)
            }
        }
    }

    /// One end closes: it hears nothing more, and the other end reads the close after what was already sent.
    mutating func closeLearnerLink(_ id: Int, by closer: Int64) {
        guard var link = learnerLinks[id], !link.broken, !link.closedBy.contains(closer) else { return }
        link.closedBy.insert(closer)
        learnerLinks[id] = link
        let other = link.otherEnd(closer)
        let index = Int(closer - 1)
        if nodes[index].learnerLinks[other] == id { nodes[index].learnerLinks[other] = nil }
        guard !link.closedBy.contains(other) else { return }
        if serversCut(closer, other) {
            breakLearnerLink(id, noticeAfter: partitionNoticeDelay())
        } else {
            queue.schedule(.learnerItem(link: id, from: closer, to: other, .closed), at: fifoTime(.learner(link: id, from: closer)))
        }
    }

    /// Nothing in flight arrives any more. Each end still using the connection notices after `noticeAfter`
    /// (a reset), or never (then only its own timeouts tell it).
    mutating func breakLearnerLink(_ id: Int, noticeAfter: Int64?) {
        guard var link = learnerLinks[id], !link.broken else { return }
        link.broken = true
        learnerLinks[id] = link
        guard let noticeAfter else { return }
        for end in [link.learner, link.leader] where node(end).learnerLinks[link.otherEnd(end)] == id {
            queue.schedule(.learnerLinkBroken(link: id, at: end), at: now + noticeAfter)
        }
    }

    mutating func noticeBroken(_ id: Int, at end: Int64) {
        guard let link = learnerLinks[id], node(end).isRunning else { return }
        let peer = link.otherEnd(end)
        guard node(end).learnerLinks[peer] == id else { return }
        nodes[Int(end - 1)].learnerLinks[peer] = nil
        feed(end, .peerConnectionLost(peer))
    }

    /// How long an end takes to notice that a partition broke its connection: often never (its own timeouts
    /// act first), sometimes after a keep-alive's seconds.
    mutating func partitionNoticeDelay() -> Int64? {
        random.chance(0.5) ? random.between(2_000...8_000) : nil
    }
}
