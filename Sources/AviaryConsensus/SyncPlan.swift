/// How a leader brings one learner up to date (ZooKeeper's `LearnerHandler.syncFollower` and
/// `queueCommittedProposals`), decided from the learner's last zxid and the leader's window of committed txns.
enum SyncPlan: Equatable {
    enum Packet: Equatable {
        case diff(Int64)
        case trunc(Int64)
        /// The committed txn at this index of the window, sent as PROPOSAL + COMMIT (INFORM to observers).
        case committed(Int)
    }

    /// Send the whole state: the learner is too far behind, or its history diverged across epochs.
    case snapshot
    case diff([Packet])
    /// The packets start with a TRUNC: the learner logged txns the leader's history does not have.
    case truncate([Packet])

    static func choose(peerLastZxid peer: Int64, lastCommitted: Int64, committedLog: [Int64]) -> SyncPlan {
        let peerIsNewEpoch = Zxid.counter(of: peer) == 0
        let minCommitted = committedLog.first ?? lastCommitted
        let maxCommitted = committedLog.last ?? lastCommitted
        if peer == lastCommitted {
            return .diff([.diff(peer)])
        }
        if peer > maxCommitted && !peerIsNewEpoch {
            return .truncate([.trunc(maxCommitted)])
        }
        guard minCommitted <= peer, peer <= maxCommitted else { return .snapshot }

        var packets: [Packet] = []
        var needsOpening = true
        var previous: Int64 = -1
        var queued = peer
        for (index, zxid) in committedLog.enumerated() {
            if zxid < peer {
                previous = zxid
                continue
            }
            if needsOpening {
                if zxid == peer {
                    packets.append(.diff(lastCommitted))
                    needsOpening = false
                    continue
                }
                if peerIsNewEpoch {
                    packets.append(.diff(lastCommitted))
                    needsOpening = false
                } else if zxid > peer {
                    // The learner's last txn is not in our history: cut it back to where the histories agree,
                    // unless that point lies in an earlier epoch, where only a snapshot is safe.
                    guard Zxid.epoch(of: zxid) == Zxid.epoch(of: peer) else { return .snapshot }
                    packets.append(.trunc(previous))
                    needsOpening = false
                }
            }
            if zxid <= queued { continue }
            packets.append(.committed(index))
            queued = zxid
        }
        if needsOpening && peerIsNewEpoch {
            packets.append(.diff(lastCommitted))
            needsOpening = false
        }
        if needsOpening { return .snapshot }
        if case .trunc = packets.first { return .truncate(packets) }
        return .diff(packets)
    }
}
