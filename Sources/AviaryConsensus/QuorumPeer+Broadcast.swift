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
        guard let zxid = nextProposalZxid, leaderState != nil else {
            preconditionFailure("propose needs an established leader; check nextProposalZxid first")
        }
        var effects: [Effect] = []
        updateLeader { state in
            state.lastProposed = zxid
            state.outstanding.append(OutstandingProposal(zxid: zxid, txn: txn))
        }
        log(zxid, txn, effects: &effects)
        let learners = leaderState?.learners ?? [:]
        for (sid, handle) in learners.sorted(by: { $0.key < $1.key }) where handle.isForwarding && !handle.isObserver {
            effects.append(.send(to: sid, .proposal(zxid: zxid, txn)))
        }
        return effects
    }

    /// A learner forwarded a `sync`: answer it once every proposal made so far has been committed to it.
    public mutating func requestSync(for learner: Int64) -> [Effect] {
        guard let state = leaderState, state.learners[learner] != nil else { return [] }
        if state.outstanding.isEmpty {
            return [.send(to: learner, .sync)]
        }
        updateLeader { $0.pendingSyncs.append((state.lastProposed, learner)) }
        return []
    }

    mutating func leaderProcessAck(from sid: Int64, zxid: Int64, effects: inout [Effect]) {
        guard membership.isParticipant(sid), let first = leaderState?.outstanding.first?.zxid, zxid >= first,
            let count = leaderState?.outstanding.count
        else { return }
        let index = Int(zxid - first)
        guard index < count else { return }
        updateLeader { state in
            if state.outstanding[index].zxid == zxid { state.outstanding[index].acks.insert(sid) }
        }
        leaderTryCommit(effects: &effects)
    }

    mutating func leaderLogAppended(effects: inout [Effect]) {
        guard let phase = leaderState?.phase else { return }
        if phase == .synchronization {
            leaderCheckOwnNewLeaderAck(effects: &effects)
            return
        }
        guard membership.isParticipant(myId) else { return }
        let durable = lastDurableZxid
        let me = myId
        updateLeader { state in
            for index in state.outstanding.indices where state.outstanding[index].zxid <= durable {
                state.outstanding[index].acks.insert(me)
            }
        }
        leaderTryCommit(effects: &effects)
    }

    /// Commits from the oldest outstanding proposal while each has a quorum: commits never skip a zxid.
    private mutating func leaderTryCommit(effects: inout [Effect]) {
        while let head = leaderState?.outstanding.first, membership.isQuorum(head.acks) {
            updateLeader { _ = $0.outstanding.removeFirst() }
            deliver(through: head.zxid, effects: &effects)
            let learners = leaderState?.learners ?? [:]
            for (sid, handle) in learners.sorted(by: { $0.key < $1.key }) where handle.isForwarding {
                effects.append(.send(to: sid, handle.isObserver ? .inform(zxid: head.zxid, head.txn) : .commit(zxid: head.zxid)))
            }
            var released: [Int64] = []
            updateLeader { state in
                while let sync = state.pendingSyncs.first, sync.zxid <= head.zxid {
                    state.pendingSyncs.removeFirst()
                    released.append(sync.learner)
                }
            }
            for learner in released where leaderState?.learners[learner] != nil {
                effects.append(.send(to: learner, .sync))
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
        for (sid, handle) in state.learners.sorted(by: { $0.key < $1.key }) {
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
