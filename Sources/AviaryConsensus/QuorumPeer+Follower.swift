/// Zab on a learner (ZooKeeper's `Learner.registerWithLeader`, `syncWithLeader` and `Follower.processPacket`).
extension QuorumPeer {
    mutating func followerStart(leader: Int64, effects: inout [Effect]) {
        role = .following(FollowerState(leader: leader, lastHeard: now))
        setServingState(.synchronizing(leader: leader), effects: &effects)
        effects.append(.connectToLeader(leader))
    }

    var followerState: FollowerState? {
        if case .following(let state) = role { return state }
        return nil
    }

    /// Runs `body` on the follower's state moved out of `role`, so changes to its queue happen in place.
    mutating func updateFollower(_ body: (inout FollowerState) -> Void) {
        guard case .following(var state) = role else { return }
        role = .idle
        body(&state)
        role = .following(state)
    }

    mutating func followerConnected(to leader: Int64, effects: inout [Effect]) {
        guard let state = followerState, state.leader == leader, state.stage == .connecting else { return }
        let time = now
        updateFollower { state in
            state.stage = .awaitingLeaderInfo
            state.lastHeard = time
        }
        effects.append(.send(to: leader, .learnerInfo(acceptedEpoch: acceptedEpoch, isObserver: configuration.isObserver)))
    }

    mutating func followerReceive(_ message: LearnerMessage<Txn>, effects: inout [Effect]) {
        // Scalars only: a copy of the whole state alive across `updateFollower` would copy its queue on each change.
        guard let stage = followerState?.stage, let leader = followerState?.leader else { return }
        let time = now
        updateFollower { $0.lastHeard = time }
        switch (stage, message) {
        case (.awaitingLeaderInfo, .leaderInfo(let newEpoch)):
            followerProcessLeaderInfo(newEpoch: newEpoch, effects: &effects)
        case (.awaitingSyncMode, .diff):
            // Our whole log is part of the leader's history: it is committed.
            deliver(through: lastLoggedZxid, effects: &effects)
            updateFollower { $0.stage = .synchronizing }
        case (.awaitingSyncMode, .trunc(let zxid)):
            followerTruncate(after: zxid, effects: &effects)
            updateFollower { $0.stage = .synchronizing }
        case (.awaitingSyncMode, .snap(let zxid)):
            followerInstalledSnapshot(at: zxid, effects: &effects)
            updateFollower { $0.stage = .synchronizing }
        case (.synchronizing, .proposal(let zxid, let txn)),
            (.awaitingUpToDate, .proposal(let zxid, let txn)),
            (.active, .proposal(let zxid, let txn)):
            followerProcessProposal(zxid: zxid, txn: txn, effects: &effects)
        case (.synchronizing, .commit(let zxid)), (.awaitingUpToDate, .commit(let zxid)), (.active, .commit(let zxid)):
            followerProcessCommit(zxid: zxid, effects: &effects)
        case (.synchronizing, .inform(let zxid, let txn)), (.awaitingUpToDate, .inform(let zxid, let txn)),
            (.active, .inform(let zxid, let txn)):
            if zxid > lastLoggedZxid { log(zxid, txn, effects: &effects) }
            deliver(through: zxid, effects: &effects)
        case (.synchronizing, .newLeader(let zxid)):
            updateFollower { $0.pendingNewLeaderZxid = zxid }
            followerTryAckNewLeader(effects: &effects)
        case (.awaitingUpToDate, .upToDate):
            followerProcessUpToDate(effects: &effects)
        case (_, .ping):
            if stage != .connecting { effects.append(.send(to: leader, .ping)) }
        case (.active, .sync), (.awaitingUpToDate, .sync):
            // The replica answers the oldest waiting `sync` itself; nothing changes here.
            break
        default:
            restartElection(reason: "unexpected \(message) from leader \(leader) while \(stage)", effects: &effects)
        }
    }

    /// LEADERINFO: accept the new epoch (persisted before ACKEPOCH), or refuse a leader from an older one.
    private mutating func followerProcessLeaderInfo(newEpoch: Int64, effects: inout [Effect]) {
        guard let state = followerState else { return }
        let reportedEpoch: Int64
        if newEpoch > acceptedEpoch {
            reportedEpoch = currentEpoch
            acceptedEpoch = newEpoch
            effects.append(.persistAcceptedEpoch(newEpoch))
        } else if newEpoch == acceptedEpoch {
            reportedEpoch = -1
        } else {
            restartElection(reason: "leader's epoch \(newEpoch) is older than our accepted epoch \(acceptedEpoch)", effects: &effects)
            return
        }
        updateFollower { state in
            state.newEpoch = newEpoch
            state.stage = .awaitingSyncMode
        }
        effects.append(.send(to: state.leader, .ackEpoch(currentEpoch: reportedEpoch, lastLoggedZxid: lastLoggedZxid)))
    }

    /// TRUNC: forget the txns after `zxid`. If any of them were applied, the shell rebuilds the state from disk,
    /// which then holds everything up to `zxid`.
    private mutating func followerTruncate(after zxid: Int64, effects: inout [Effect]) {
        effects.append(.truncateLog(after: zxid))
        uncommitted.removeAll { $0.zxid > zxid }
        while let last = committedLog.last, last.zxid > zxid { committedLog.removeLast() }
        if lastDeliveredZxid > zxid {
            uncommitted.removeAll()
            lastDeliveredZxid = zxid
        }
        lastLoggedZxid = min(lastLoggedZxid, zxid)
        lastDurableZxid = min(lastDurableZxid, zxid)
        updateFollower { $0.unacknowledged.removeAll() }
        deliver(through: zxid, effects: &effects)
    }

    /// SNAP: the replica has installed the leader's state at `zxid`; our own log after it no longer counts.
    private mutating func followerInstalledSnapshot(at zxid: Int64, effects: inout [Effect]) {
        if lastLoggedZxid > zxid { effects.append(.truncateLog(after: zxid)) }
        effects.append(.saveSnapshot(zxid: zxid))
        uncommitted.removeAll()
        committedLog.removeAll()
        lastLoggedZxid = zxid
        lastDurableZxid = zxid
        lastDeliveredZxid = zxid
        updateFollower { $0.unacknowledged.removeAll() }
    }

    private mutating func followerProcessProposal(zxid: Int64, txn: Txn, effects: inout [Effect]) {
        guard zxid > lastLoggedZxid else { return }
        log(zxid, txn, effects: &effects)
        if !configuration.isObserver {
            updateFollower { $0.unacknowledged.append(zxid) }
        }
    }

    private mutating func followerProcessCommit(zxid: Int64, effects: inout [Effect]) {
        guard zxid > lastDeliveredZxid else { return }
        guard uncommitted.contains(where: { $0.zxid == zxid }) else {
            restartElection(reason: "leader committed \(Zxid.hex(zxid)), which was never proposed to us", effects: &effects)
            return
        }
        deliver(through: zxid, effects: &effects)
    }

    /// NEWLEADER is acknowledged only once everything received before it is durable, and after the new current
    /// epoch is on disk (ZOOKEEPER-3911, -4643, -4646).
    private mutating func followerTryAckNewLeader(effects: inout [Effect]) {
        guard let state = followerState, let zxid = state.pendingNewLeaderZxid, lastDurableZxid >= lastLoggedZxid
        else { return }
        let newEpoch = Zxid.epoch(of: zxid)
        currentEpoch = newEpoch
        effects.append(.persistCurrentEpoch(newEpoch))
        updateFollower { state in
            state.pendingNewLeaderZxid = nil
            state.stage = .awaitingUpToDate
        }
        effects.append(.send(to: state.leader, .ack(zxid: zxid)))
    }

    private mutating func followerProcessUpToDate(effects: inout [Effect]) {
        guard let state = followerState, let newEpoch = state.newEpoch else { return }
        updateFollower { $0.stage = .active }
        currentVote = Vote(leader: state.leader, zxid: lastLoggedZxid, electionEpoch: currentVote.electionEpoch, peerEpoch: newEpoch)
        setServingState(configuration.isObserver ? .observing(leader: state.leader) : .following(leader: state.leader), effects: &effects)
        if !configuration.isObserver {
            effects.append(.send(to: state.leader, .ack(zxid: Zxid.make(epoch: newEpoch, counter: 0))))
        }
        followerSendAcks(effects: &effects)
    }

    mutating func followerLogAppended(effects: inout [Effect]) {
        followerTryAckNewLeader(effects: &effects)
        followerSendAcks(effects: &effects)
    }

    /// ACKs go out per proposal once durable, and only after UPTODATE, where a ZooKeeper leader expects them.
    private mutating func followerSendAcks(effects: inout [Effect]) {
        guard followerState?.stage == .active, let leader = followerState?.leader else { return }
        let durable = lastDurableZxid
        var acked: [Int64] = []
        updateFollower { state in
            while let next = state.unacknowledged.first, next <= durable {
                state.unacknowledged.removeFirst()
                acked.append(next)
            }
        }
        for zxid in acked {
            effects.append(.send(to: leader, .ack(zxid: zxid)))
        }
    }

    mutating func followerTick(effects: inout [Effect]) {
        guard let state = followerState else { return }
        let limit: Int64 = switch state.stage {
        case .awaitingUpToDate, .active: configuration.syncTimeoutMillis
        default: configuration.initTimeoutMillis
        }
        if now - state.lastHeard > limit {
            restartElection(reason: "leader \(state.leader) silent for more than \(limit) ms", effects: &effects)
        }
    }
}
