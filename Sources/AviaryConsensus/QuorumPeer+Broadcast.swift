import DequeModule

/// Zab broadcast on the leader: proposals in zxid order, commits once a quorum has them durable.
extension QuorumPeer {
    /// The zxid the next proposal gets, or nil when this server cannot propose: not an established leader, or
    /// the epoch's counter is used up (the leader then steps down so a new epoch starts, as ZooKeeper does).
    public var nextProposalZxid: Int64? {
        guard let state = leaderState, state.phase == .broadcast,
            Zxid.counter(of: state.lastProposed) + 1 < configuration.zxidCounterLimit
        else { return nil }
        return state.lastProposed + 1
    }

    public var isLeaderServing: Bool { leaderState?.phase == .broadcast }

    /// Proposes a txn under `nextProposalZxid`, which the caller has stamped into it.
    public mutating func propose(_ txn: Txn) -> [Effect] {
        guard let zxid = nextProposalZxid else {
            preconditionFailure("propose needs an established leader; check nextProposalZxid first")
        }
        var effects: [Effect] = []
        log(zxid, txn, effects: &effects)
        updateLeader { state in
            state.lastProposed = zxid
            state.outstanding.append(OutstandingProposal(zxid: zxid, txn: txn))
            for (sid, handle) in state.learners where handle.isForwarding && !handle.isObserver {
                effects.append(.send(to: sid, .proposal(zxid: zxid, txn)))
            }
        }
        return effects
    }

    /// A learner forwarded a `sync`: answer it once every proposal made so far has been committed to it.
    public mutating func requestSync(for learner: Int64) -> [Effect] {
        let answerNow: Bool? = updateLeader { state in
            guard state.learners[learner] != nil else { return false }
            if state.outstanding.isEmpty { return true }
            state.pendingSyncs.append((state.lastProposed, learner))
            return false
        }
        return answerNow == true ? [.send(to: learner, .sync)] : []
    }

    mutating func leaderProcessAck(from sid: Int64, zxid: Int64, effects: inout [Effect]) {
        guard membership.isParticipant(sid) else { return }
        updateLeader { state in
            guard !state.outstanding.isEmpty, zxid >= state.outstanding[0].zxid else { return }
            let first = state.outstanding[0].zxid
            let index = Int(zxid - first)
            guard index < state.outstanding.count, state.outstanding[index].zxid == zxid else { return }
            state.outstanding[index].acks.insert(sid)
        }
        leaderTryCommit(effects: &effects)
    }

    mutating func leaderLogAppended(effects: inout [Effect]) {
        guard let phase = updateLeader({ $0.phase }) else { return }
        if phase == .synchronization {
            leaderCheckOwnNewLeaderAck(effects: &effects)
            return
        }
        guard membership.isParticipant(myId) else { return }
        let durable = lastDurableZxid
        let me = myId
        updateLeader { state in
            for index in state.outstanding.indices {
                guard state.outstanding[index].zxid <= durable else { break }
                state.outstanding[index].acks.insert(me)
            }
        }
        leaderTryCommit(effects: &effects)
    }

    /// Commits from the oldest outstanding proposal while each has a quorum: commits never skip a zxid.
    private mutating func leaderTryCommit(effects: inout [Effect]) {
        let membership = self.membership
        while true {
            let quorate: OutstandingProposal<Txn>?? = updateLeader { state in
                guard !state.outstanding.isEmpty, membership.isQuorum(state.outstanding[0].acks) else { return nil }
                return state.outstanding.removeFirst()
            }
            guard let head = quorate ?? nil else { return }
            deliver(through: head.zxid, effects: &effects)
            updateLeader { state in
                for (sid, handle) in state.learners where handle.isForwarding {
                    effects.append(.send(to: sid, handle.isObserver ? .inform(zxid: head.zxid, head.txn) : .commit(zxid: head.zxid)))
                }
                while let sync = state.pendingSyncs.first, sync.zxid <= head.zxid {
                    state.pendingSyncs.removeFirst()
                    if state.learners[sync.learner] != nil { effects.append(.send(to: sync.learner, .sync)) }
                }
            }
        }
    }

    /// Phase deadlines, heartbeats, and the quorum check: a leader that no longer hears a quorum steps down.
    mutating func leaderTick(effects: inout [Effect]) {
        guard let state = leaderState else { return }
        if state.phase != .broadcast {
            if now >= state.phaseDeadline {
                let what = state.phase == .discovery ? "acknowledge a new epoch" : "synchronize"
                restartElection(reason: "no quorum of learners came to \(what) within initLimit", effects: &effects)
            }
            return
        }
        if nextProposalZxid == nil && state.outstanding.isEmpty {
            restartElection(reason: "zxid counter of epoch \(Zxid.epoch(of: state.lastProposed)) used up; electing a new epoch", effects: &effects)
            return
        }
        guard now >= state.nextPingAt else { return }
        let nextPing = now + configuration.tickTimeMillis / 2
        updateLeader { $0.nextPingAt = nextPing }
        var synced: Set<Int64> = [myId]
        for (sid, handle) in state.learners {
            let limit = handle.stage == .active ? configuration.syncTimeoutMillis : configuration.initTimeoutMillis
            if now - handle.lastHeard > limit {
                leaderDropLearner(sid, reason: "learner \(sid) silent for more than \(limit) ms", effects: &effects)
                continue
            }
            if handle.stage == .active { synced.insert(sid) }
            if handle.isForwarding { effects.append(.send(to: sid, .ping)) }
        }
        if !membership.isQuorum(synced) {
            restartElection(reason: "not enough followers in sync, only \(synced.sorted())", effects: &effects)
        }
    }
}
