/// Fast leader election (ZooKeeper's `FastLeaderElection.lookForLeader` and its receiver thread).
struct ElectionRound: Sendable {
    var proposal: Vote
    /// Votes of this round, by sender; only their count towards a quorum matters, never their order.
    var received: [Int64: (vote: Vote, state: PeerState)] = [:]
    /// What servers that already left the election report: joining an established ensemble needs a quorum of
    /// these naming the same leader, which must itself say it leads.
    var outOfElection: [Int64: (vote: Vote, state: PeerState)] = [:]
    var resendIntervalMillis: Int64
    var nextResendAt: Int64
    /// Set once a quorum backs our proposal: decide at this time unless a better vote arrives first.
    var decideAt: Int64?
}

extension QuorumPeer {
    /// This server's own candidacy: observers never stand.
    var initialVote: Vote {
        if configuration.isObserver {
            return Vote(leader: .min, zxid: .min, electionEpoch: logicalClock, peerEpoch: .min)
        }
        return Vote(leader: myId, zxid: lastLoggedZxid, electionEpoch: logicalClock, peerEpoch: currentEpoch)
    }

    var isStarted: Bool {
        if case .idle = role { return false }
        return true
    }

    var peerState: PeerState {
        switch role {
        case .idle, .looking: .looking
        case .leading: .leading
        case .following: configuration.isObserver ? .observing : .following
        }
    }

    /// Starts a new election round.
    mutating func lookForLeader(effects: inout [Effect]) {
        logicalClock += 1
        let round = ElectionRound(
            proposal: initialVote, resendIntervalMillis: configuration.minNotificationIntervalMillis,
            nextResendAt: now + configuration.minNotificationIntervalMillis)
        role = .looking(round)
        setServingState(.looking, effects: &effects)
        sendNotifications(effects: &effects)
    }

    /// Leaves the current role and elects again; logged txns stay pending, so the next leader decides their fate.
    mutating func restartElection(reason: String, effects: inout [Effect]) {
        switch role {
        case .leading(let state):
            for learner in state.learners.ids {
                effects.append(.disconnect(learner, reason: reason))
            }
        case .following(let state):
            effects.append(.disconnect(state.leader, reason: reason))
        case .idle, .looking:
            break
        }
        lookForLeader(effects: &effects)
    }

    /// Sends our proposal to every voter; our own copy is counted at once, as if delivered to ourselves.
    mutating func sendNotifications(effects: inout [Effect]) {
        guard case .looking(var round) = role else { return }
        round.proposal.electionEpoch = logicalClock
        for voter in membership.participants where voter != myId {
            effects.append(.sendNotification(to: voter, Notification(state: .looking, vote: round.proposal)))
        }
        if membership.isParticipant(myId) {
            round.received[myId] = (round.proposal, .looking)
        }
        role = .looking(round)
        checkElectionQuorum(effects: &effects)
    }

    mutating func receiveNotification(_ notification: Notification, from sender: Int64, effects: inout [Effect]) {
        guard case .looking(var round) = role else {
            // Out of the election: tell a LOOKING server whom we follow.
            if notification.state == .looking, isStarted {
                effects.append(.sendNotification(to: sender, Notification(state: peerState, vote: currentVote)))
            }
            return
        }
        // Any news postpones the resend, as ZooKeeper resends only after a silent wait.
        round.nextResendAt = now + round.resendIntervalMillis
        role = .looking(round)
        // A non-voter or a voter still behind us in rounds learns our proposal.
        if !membership.isParticipant(sender)
            || (notification.state == .looking && notification.vote.electionEpoch < logicalClock)
        {
            var proposal = round.proposal
            proposal.electionEpoch = logicalClock
            effects.append(.sendNotification(to: sender, Notification(state: .looking, vote: proposal)))
        }
        guard membership.isParticipant(sender), membership.isParticipant(notification.vote.leader) else { return }
        let vote = notification.vote
        if round.decideAt != nil {
            // While waiting to decide, only a better vote matters; others are dropped, and the wait starts over.
            guard isBetter(vote, than: round.proposal) else {
                round.decideAt = now + configuration.finalizeWaitMillis
                role = .looking(round)
                return
            }
            round.decideAt = nil
            role = .looking(round)
        }
        switch notification.state {
        case .looking:
            electionProcessLookingVote(vote, from: sender, effects: &effects)
        case .following, .leading:
            electionProcessEstablishedVote(vote, state: notification.state, from: sender, effects: &effects)
        case .observing:
            break
        }
    }

    private func isBetter(_ vote: Vote, than proposal: Vote) -> Bool {
        Vote.isBetter(candidate: vote.leader, zxid: vote.zxid, peerEpoch: vote.peerEpoch, than: proposal, membership: membership)
    }

    private mutating func electionProcessLookingVote(_ vote: Vote, from sender: Int64, effects: inout [Effect]) {
        guard case .looking(var round) = role, vote.zxid != -1 else { return }
        if vote.electionEpoch > logicalClock {
            logicalClock = vote.electionEpoch
            round.received = [:]
            round.proposal = isBetter(vote, than: initialVote) ? vote : initialVote
            role = .looking(round)
            sendNotifications(effects: &effects)
        } else if vote.electionEpoch < logicalClock {
            return
        } else if isBetter(vote, than: round.proposal) {
            round.proposal = vote
            role = .looking(round)
            sendNotifications(effects: &effects)
        }
        guard case .looking(var updated) = role else { return }
        updated.received[sender] = (vote, .looking)
        role = .looking(updated)
        checkElectionQuorum(effects: &effects)
    }

    /// When a quorum backs our proposal, wait `finalizeWait` for a better vote before deciding.
    private mutating func checkElectionQuorum(effects: inout [Effect]) {
        guard case .looking(var round) = role, round.decideAt == nil else { return }
        var proposal = round.proposal
        proposal.electionEpoch = logicalClock
        let backers = round.received.filter { Self.sameVote($0.value.vote, $0.value.state, proposal, .looking) }.keys
        guard membership.isQuorum(backers) else { return }
        round.decideAt = now + configuration.finalizeWaitMillis
        role = .looking(round)
    }

    /// A FOLLOWING or LEADING server's vote: join its leader once a quorum reports it and the leader confirms.
    private mutating func electionProcessEstablishedVote(
        _ vote: Vote, state: PeerState, from sender: Int64, effects: inout [Effect]
    ) {
        guard case .looking(var round) = role else { return }
        if vote.electionEpoch == logicalClock {
            round.received[sender] = (vote, state)
            role = .looking(round)
            if agreeingQuorum(round.received, on: vote, state: state),
                leaderConfirmed(round.received, leader: vote.leader, electionEpoch: vote.electionEpoch)
            {
                decide(Vote(leader: vote.leader, zxid: vote.zxid, electionEpoch: vote.electionEpoch, peerEpoch: vote.peerEpoch), effects: &effects)
                return
            }
        }
        round.outOfElection[sender] = (vote, state)
        role = .looking(round)
        if agreeingQuorum(round.outOfElection, on: vote, state: state),
            leaderConfirmed(round.outOfElection, leader: vote.leader, electionEpoch: vote.electionEpoch)
        {
            logicalClock = vote.electionEpoch
            decide(Vote(leader: vote.leader, zxid: vote.zxid, electionEpoch: vote.electionEpoch, peerEpoch: vote.peerEpoch), effects: &effects)
        }
    }

    private func agreeingQuorum(_ votes: [Int64: (vote: Vote, state: PeerState)], on vote: Vote, state: PeerState) -> Bool {
        membership.isQuorum(votes.filter { Self.sameVote($0.value.vote, $0.value.state, vote, state) }.keys)
    }

    /// ZooKeeper's `checkLeader`: someone else must have told us it leads; we may lead only in our own round.
    private func leaderConfirmed(_ votes: [Int64: (vote: Vote, state: PeerState)], leader: Int64, electionEpoch: Int64) -> Bool {
        if leader != myId { return votes[leader]?.state == .leading }
        return logicalClock == electionEpoch
    }

    /// Vote equality as ZooKeeper defines it: servers out of the election are compared by leader and epoch only,
    /// since their zxids and rounds legitimately differ.
    static func sameVote(_ a: Vote, _ aState: PeerState, _ b: Vote, _ bState: PeerState) -> Bool {
        if aState == .looking || bState == .looking {
            return a == b
        }
        return a.leader == b.leader && a.peerEpoch == b.peerEpoch
    }

    mutating func electionTick(effects: inout [Effect]) {
        guard case .looking(var round) = role else { return }
        if let decideAt = round.decideAt, now >= decideAt {
            var vote = round.proposal
            vote.electionEpoch = logicalClock
            decide(vote, effects: &effects)
            return
        }
        if now >= round.nextResendAt {
            round.resendIntervalMillis = min(round.resendIntervalMillis * 2, configuration.maxNotificationIntervalMillis)
            round.nextResendAt = now + round.resendIntervalMillis
            role = .looking(round)
            sendNotifications(effects: &effects)
        }
    }

    /// Ends the election with `vote`: lead, follow or observe.
    private mutating func decide(_ vote: Vote, effects: inout [Effect]) {
        currentVote = vote
        if vote.leader == myId {
            leaderStart(effects: &effects)
        } else {
            followerStart(leader: vote.leader, effects: &effects)
        }
    }
}
