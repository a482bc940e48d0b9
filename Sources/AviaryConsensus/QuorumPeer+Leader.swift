import DequeModule

/// Zab discovery and synchronization on the leader (ZooKeeper's `Leader.lead` and `LearnerHandler.run`).
extension QuorumPeer {
    mutating func leaderStart(effects: inout [Effect]) {
        // Everything this server logged is part of the history it now imposes.
        deliver(through: lastLoggedZxid, effects: &effects)
        var state = LeaderState<Txn>(
            phaseDeadline: now + configuration.initTimeoutMillis, proposedEpoch: acceptedEpoch + 1,
            summary: (currentEpoch, lastLoggedZxid), nextPingAt: now + configuration.tickTimeMillis / 2)
        state.connecting.insert(myId)
        role = .leading(state)
        setServingState(.synchronizing(leader: myId), effects: &effects)
        leaderCheckEpochQuorum(effects: &effects)
    }

    var leaderState: LeaderState<Txn>? {
        if case .leading(let state) = role { return state }
        return nil
    }

    /// Runs `body` on the leader's state moved out of `role`, so changes to its collections happen in place.
    /// Also the way to read several fields on a hot path without copying the state.
    @discardableResult
    mutating func updateLeader<Result>(_ body: (inout LeaderState<Txn>) -> Result) -> Result? {
        guard case .leading(var state) = role else { return nil }
        role = .idle
        let result = body(&state)
        role = .leading(state)
        return result
    }

    mutating func leaderReceive(_ message: LearnerMessage<Txn>, from sid: Int64, effects: inout [Effect]) {
        // Only scalars are read out of the state here and on the other hot paths: a copy of the whole state kept
        // alive across `updateLeader` would make every mutation copy its collections.
        let time = now
        let known: Int64?? = updateLeader { state in
            state.learners[sid]?.lastHeard = time
            return state.newEpoch
        }
        guard membership.isMember(sid), let newEpoch = known else {
            effects.append(.disconnect(sid, reason: "server \(sid) is not in the ensemble"))
            return
        }
        switch message {
        case .learnerInfo(let accepted, let isObserver):
            leaderProcessLearnerInfo(from: sid, acceptedEpoch: accepted, isObserver: isObserver || !membership.isParticipant(sid), effects: &effects)
        case .ackEpoch(let epoch, let zxid):
            leaderProcessAckEpoch(from: sid, currentEpoch: epoch, lastZxid: zxid, effects: &effects)
        case .ack(let zxid) where Zxid.counter(of: zxid) == 0:
            if let newEpoch, zxid == Zxid.make(epoch: newEpoch, counter: 0) {
                leaderProcessNewLeaderAck(from: sid, effects: &effects)
            }
        case .ack(let zxid):
            leaderProcessAck(from: sid, zxid: zxid, effects: &effects)
        case .ping:
            break
        default:
            leaderDropLearner(sid, reason: "unexpected \(message) from learner \(sid)", effects: &effects)
        }
    }

    /// FOLLOWERINFO / OBSERVERINFO: counts towards the new epoch until it is decided, then gets LEADERINFO.
    private mutating func leaderProcessLearnerInfo(
        from sid: Int64, acceptedEpoch learnerAccepted: Int64, isObserver: Bool, effects: inout [Effect]
    ) {
        guard let state = leaderState else { return }
        var handle = LearnerHandle(isObserver: isObserver, stage: .awaitingEpoch, lastHeard: now)
        if let newEpoch = state.newEpoch {
            handle.stage = .awaitingAckEpoch
            updateLeader { $0.learners[sid] = handle }
            effects.append(.send(to: sid, .leaderInfo(newEpoch: newEpoch)))
            return
        }
        updateLeader { state in
            state.learners[sid] = handle
            if learnerAccepted >= state.proposedEpoch { state.proposedEpoch = learnerAccepted + 1 }
            if !isObserver { state.connecting.insert(sid) }
        }
        leaderCheckEpochQuorum(effects: &effects)
    }

    /// Once a quorum has reported its accepted epoch, the new epoch is decided and announced.
    private mutating func leaderCheckEpochQuorum(effects: inout [Effect]) {
        guard let state = leaderState, state.newEpoch == nil, membership.isQuorum(state.connecting) else { return }
        let newEpoch = state.proposedEpoch
        acceptedEpoch = newEpoch
        effects.append(.persistAcceptedEpoch(newEpoch))
        var waiting: [Int64] = []
        let me = myId
        updateLeader { state in
            state.newEpoch = newEpoch
            state.lastProposed = Zxid.make(epoch: newEpoch, counter: 0)
            state.epochAcked.insert(me)
            for (sid, handle) in state.learners where handle.stage == .awaitingEpoch {
                state.learners[sid]!.stage = .awaitingAckEpoch
                waiting.append(sid)
            }
        }
        for sid in waiting.sorted() {
            effects.append(.send(to: sid, .leaderInfo(newEpoch: newEpoch)))
        }
        leaderCheckEpochAckQuorum(effects: &effects)
    }

    private mutating func leaderProcessAckEpoch(from sid: Int64, currentEpoch learnerEpoch: Int64, lastZxid: Int64, effects: inout [Effect]) {
        guard let state = leaderState, let handle = state.learners[sid], handle.stage == .awaitingAckEpoch else {
            leaderDropLearner(sid, reason: "ACKEPOCH out of order from \(sid)", effects: &effects)
            return
        }
        if state.phase == .discovery {
            if learnerEpoch != -1 {
                let ahead = learnerEpoch > state.summary.currentEpoch
                    || (learnerEpoch == state.summary.currentEpoch && lastZxid > state.summary.lastZxid)
                if ahead {
                    leaderDropLearner(sid, reason: "learner \(sid) is ahead of the leader", effects: &effects)
                    return
                }
                if lastZxid != -1 && !handle.isObserver {
                    updateLeader { $0.epochAcked.insert(sid) }
                }
            }
            updateLeader { state in
                state.learners[sid]!.peerLastZxid = lastZxid
                state.learners[sid]!.stage = .awaitingSync
            }
            leaderCheckEpochAckQuorum(effects: &effects)
        } else {
            updateLeader { $0.learners[sid]!.peerLastZxid = lastZxid }
            leaderSynchronize(sid, effects: &effects)
        }
    }

    /// A quorum accepted the epoch: make it current and synchronize every learner waiting for it.
    private mutating func leaderCheckEpochAckQuorum(effects: inout [Effect]) {
        guard let state = leaderState, state.phase == .discovery, let newEpoch = state.newEpoch,
            membership.isQuorum(state.epochAcked)
        else { return }
        currentEpoch = newEpoch
        effects.append(.persistCurrentEpoch(newEpoch))
        let deadline = now + configuration.initTimeoutMillis
        updateLeader { state in
            state.phase = .synchronization
            state.phaseDeadline = deadline
        }
        let waiting = state.learners.filter { $0.value.stage == .awaitingSync }.map(\.key)
        for sid in waiting {
            leaderSynchronize(sid, effects: &effects)
        }
        leaderCheckOwnNewLeaderAck(effects: &effects)
    }

    /// ZooKeeper's `syncFollower` + `startForwarding`: DIFF, TRUNC or SNAP, then the proposals still outstanding,
    /// then NEWLEADER.
    private mutating func leaderSynchronize(_ sid: Int64, effects: inout [Effect]) {
        guard let state = leaderState, let newEpoch = state.newEpoch, let handle = state.learners[sid] else { return }
        let plan = SyncPlan.choose(
            peerLastZxid: handle.peerLastZxid, lastCommitted: lastDeliveredZxid,
            committedLog: committedLog.map { $0.zxid })
        switch plan {
        case .snapshot:
            effects.append(.send(to: sid, .snap(zxid: lastDeliveredZxid)))
        case .diff(let packets), .truncate(let packets):
            for packet in packets {
                switch packet {
                case .diff(let zxid): effects.append(.send(to: sid, .diff(lastCommittedZxid: zxid)))
                case .trunc(let zxid): effects.append(.send(to: sid, .trunc(zxid: zxid)))
                case .committed(let index):
                    let entry = committedLog[index]
                    if handle.isObserver {
                        effects.append(.send(to: sid, .inform(zxid: entry.zxid, entry.txn)))
                    } else {
                        effects.append(.send(to: sid, .proposal(zxid: entry.zxid, entry.txn)))
                        effects.append(.send(to: sid, .commit(zxid: entry.zxid)))
                    }
                }
            }
        }
        if !handle.isObserver {
            for proposal in state.outstanding {
                effects.append(.send(to: sid, .proposal(zxid: proposal.zxid, proposal.txn)))
            }
        }
        effects.append(.send(to: sid, .newLeader(zxid: Zxid.make(epoch: newEpoch, counter: 0))))
        updateLeader { $0.learners[sid]!.stage = .awaitingNewLeaderAck }
    }

    /// The leader acknowledges NEWLEADER itself once its whole history is durable.
    mutating func leaderCheckOwnNewLeaderAck(effects: inout [Effect]) {
        guard let state = leaderState, state.phase == .synchronization, lastDurableZxid >= lastLoggedZxid else { return }
        if membership.isParticipant(myId) {
            let me = myId
            updateLeader { $0.newLeaderAcked.insert(me) }
        }
        leaderCheckNewLeaderQuorum(effects: &effects)
    }

    private mutating func leaderProcessNewLeaderAck(from sid: Int64, effects: inout [Effect]) {
        guard let state = leaderState, state.learners[sid]?.stage == .awaitingNewLeaderAck else { return }
        if state.phase == .broadcast {
            updateLeader { $0.learners[sid]!.stage = .active }
            effects.append(.send(to: sid, .upToDate))
            return
        }
        updateLeader { state in
            state.learners[sid]!.stage = .awaitingUpToDate
            if !state.learners[sid]!.isObserver { state.newLeaderAcked.insert(sid) }
        }
        leaderCheckNewLeaderQuorum(effects: &effects)
    }

    /// A quorum is in sync: start serving and release the learners waiting for UPTODATE.
    private mutating func leaderCheckNewLeaderQuorum(effects: inout [Effect]) {
        guard let state = leaderState, state.phase == .synchronization, state.newLeaderAcked.contains(myId),
            membership.isQuorum(state.newLeaderAcked), let newEpoch = state.newEpoch
        else { return }
        var ready: [Int64] = []
        updateLeader { state in
            state.phase = .broadcast
            for (sid, handle) in state.learners where handle.stage == .awaitingUpToDate {
                state.learners[sid]!.stage = .active
                ready.append(sid)
            }
        }
        // New servers asking who leads now hear the new epoch.
        currentVote = Vote(leader: myId, zxid: lastLoggedZxid, electionEpoch: currentVote.electionEpoch, peerEpoch: newEpoch)
        setServingState(.leading, effects: &effects)
        for sid in ready.sorted() {
            effects.append(.send(to: sid, .upToDate))
        }
    }

    mutating func leaderDropLearner(_ sid: Int64, reason: String, effects: inout [Effect]) {
        leaderLostLearner(sid, effects: &effects)
        effects.append(.disconnect(sid, reason: reason))
    }

    mutating func leaderLostLearner(_ sid: Int64, effects: inout [Effect]) {
        updateLeader { $0.learners[sid] = nil }
    }
}
