@testable import AviaryConsensus
import Testing

/// The leader's choice of DIFF, TRUNC or SNAP, as ZooKeeper's `syncFollower` makes it.
@Suite struct SyncPlanTests {
    private func z(_ epoch: Int64, _ counter: Int64) -> Int64 { Zxid.make(epoch: epoch, counter: counter) }

    @Test func learnerAtTheLeadersZxidGetsAnEmptyDiff() {
        let log = [z(1, 1), z(1, 2), z(1, 3)]
        #expect(SyncPlan.choose(peerLastZxid: z(1, 3), lastCommitted: z(1, 3), committedLog: log) == .diff([.diff(z(1, 3))]))
    }

    @Test func learnerInsideTheWindowGetsTheMissingTxns() {
        let log = [z(1, 1), z(1, 2), z(1, 3), z(1, 4)]
        #expect(
            SyncPlan.choose(peerLastZxid: z(1, 2), lastCommitted: z(1, 4), committedLog: log)
                == .diff([.diff(z(1, 4)), .committed(2), .committed(3)]))
    }

    @Test func staleLeaderAheadOfTheWindowIsTruncated() {
        let log = [z(1, 1), z(1, 2)]
        #expect(SyncPlan.choose(peerLastZxid: z(1, 7), lastCommitted: z(1, 2), committedLog: log) == .truncate([.trunc(z(1, 2))]))
    }

    @Test func divergedLearnerInTheSameEpochIsTruncatedThenCaughtUp() {
        // The learner logged 2.5, which the new history skipped: cut back to 2.4, then send 2.6 onwards.
        let log = [z(2, 3), z(2, 4), z(2, 6), z(3, 1)]
        #expect(
            SyncPlan.choose(peerLastZxid: z(2, 5), lastCommitted: z(3, 1), committedLog: log)
                == .truncate([.trunc(z(2, 4)), .committed(2), .committed(3)]))
    }

    @Test func divergenceAcrossEpochsNeedsASnapshot() {
        let log = [z(2, 3), z(3, 1), z(3, 2)]
        #expect(SyncPlan.choose(peerLastZxid: z(2, 5), lastCommitted: z(3, 2), committedLog: log) == .snapshot)
    }

    @Test func learnerBehindTheWindowGetsASnapshot() {
        let log = [z(1, 100), z(1, 101)]
        #expect(SyncPlan.choose(peerLastZxid: z(1, 5), lastCommitted: z(1, 101), committedLog: log) == .snapshot)
    }

    @Test func emptyWindowUsesTheLastCommittedZxid() {
        #expect(SyncPlan.choose(peerLastZxid: z(1, 9), lastCommitted: z(1, 9), committedLog: []) == .diff([.diff(z(1, 9))]))
        #expect(SyncPlan.choose(peerLastZxid: z(1, 12), lastCommitted: z(1, 9), committedLog: []) == .truncate([.trunc(z(1, 9))]))
        #expect(SyncPlan.choose(peerLastZxid: z(1, 3), lastCommitted: z(1, 9), committedLog: []) == .snapshot)
    }

    @Test func learnerAtANewEpochBoundaryGetsADiff() {
        let log = [z(1, 9), z(2, 1), z(2, 2)]
        #expect(
            SyncPlan.choose(peerLastZxid: z(2, 0), lastCommitted: z(2, 2), committedLog: log)
                == .diff([.diff(z(2, 2)), .committed(1), .committed(2)]))
    }
}
