import AviaryConsensus
import AviaryReplica
import AviaryWire

/// Replicas brought into an ensemble role by feeding them what their peers would send: server 1 of three,
/// in epoch 1, either following leader 2 or leading with server 2 as its follower.
enum EnsembleReplicas {
    static let membership = QuorumMembership(participants: [1, 2, 3])
    static let epochStart = Zxid.make(epoch: 1, counter: 0)

    static func fresh() -> ReplicaHarness {
        var harness = ReplicaHarness()
        harness.replica = Replica(
            configuration: ReplicaConfiguration(serverId: 1), sessionSeedMillis: 0,
            consensus: QuorumPeer(
                configuration: ConsensusConfiguration(myId: 1, membership: membership), acceptedEpoch: 0,
                currentEpoch: 0, lastLoggedZxid: 0))
        harness.handle(.start(now: 0))
        return harness
    }

    static func follower() -> ReplicaHarness {
        var harness = fresh()
        let elected = Vote(leader: 2, zxid: 0, electionEpoch: 1, peerEpoch: 0)
        harness.handle(.notification(Notification(state: .leading, vote: elected), from: 2))
        harness.handle(.notification(Notification(state: .following, vote: elected), from: 3))
        harness.handle(.connectedToLeader(2))
        for message: LearnerMessage<Txn> in [
            .leaderInfo(newEpoch: 1), .diff(lastCommittedZxid: 0), .newLeader(zxid: epochStart), .upToDate,
        ] {
            harness.handle(.learnerPacket(.consensus(message), from: 2))
        }
        return harness
    }

    static func leader() -> ReplicaHarness {
        var harness = fresh()
        let mine = Vote(leader: 1, zxid: 0, electionEpoch: 1, peerEpoch: 0)
        harness.handle(.notification(Notification(state: .looking, vote: mine), from: 2))
        // Past the finalize wait: server 1 decides for itself.
        harness.handle(.clock(now: 1_000))
        harness.handle(.learnerPacket(.learnerInfo(serverId: 2, .learnerInfo(acceptedEpoch: 0, isObserver: false)), from: 2))
        harness.handle(.learnerPacket(.consensus(.ackEpoch(currentEpoch: 0, lastLoggedZxid: 0)), from: 2))
        harness.handle(.learnerPacket(.consensus(.ack(zxid: epochStart)), from: 2))
        return harness
    }

    /// On a leader: the txn just logged is made durable here and acknowledged by server 2, so it commits.
    @discardableResult
    static func commitOnLeader(_ harness: inout ReplicaHarness) -> [String] {
        let zxid = harness.lastLoggedZxid
        return harness.handle(.logAppended(through: zxid))
            + harness.handle(.learnerPacket(.consensus(.ack(zxid: zxid)), from: 2))
    }
}
