import AviaryConsensus
import AviarySimulator
import Testing

/// Consensus scenarios with readable expectations: who wins an election and the exact learner-port
/// conversation that brings each server up to date.
@Suite struct ScenarioTests {
    private func z(_ epoch: Int64, _ counter: Int64) -> Int64 { Zxid.make(epoch: epoch, counter: counter) }

    @Test func freshServersElectTheHighestId() {
        var ensemble = ScriptedEnsemble(histories: [1: (0, []), 2: (0, []), 3: (0, [])])
        ensemble.startAll()
        ensemble.run(millis: 500)
        #expect(ensemble.state(3) == "leading")
        #expect(ensemble.state(1) == "following(leader: 3)")
        #expect(ensemble.state(2) == "following(leader: 3)")
        #expect(ensemble.conversation(3, 1) == [
            "1->3 FOLLOWERINFO accepted=0", "3->1 LEADERINFO epoch=1", "1->3 ACKEPOCH current=0 last=0x0",
            "3->1 DIFF 0x0", "3->1 NEWLEADER 0x100000000", "1->3 ACK 0x100000000", "3->1 UPTODATE",
            "1->3 ACK 0x100000000",
        ])
    }

    @Test func theLongestHistoryBeatsAHigherId() {
        var ensemble = ScriptedEnsemble(histories: [
            1: (1, [z(1, 1), z(1, 2), z(1, 3)]), 2: (1, [z(1, 1), z(1, 2)]), 3: (1, [z(1, 1)]),
        ])
        ensemble.startAll()
        ensemble.run(millis: 500)
        #expect(ensemble.state(1) == "leading")
        // Server 3 is two txns behind: a DIFF with both, then NEWLEADER.
        #expect(ensemble.conversation(1, 3) == [
            "3->1 FOLLOWERINFO accepted=1", "1->3 LEADERINFO epoch=2", "3->1 ACKEPOCH current=1 last=0x100000001",
            "1->3 DIFF 0x100000003", "1->3 PROPOSAL 0x100000002", "1->3 COMMIT 0x100000002",
            "1->3 PROPOSAL 0x100000003", "1->3 COMMIT 0x100000003", "1->3 NEWLEADER 0x200000000",
            "3->1 ACK 0x200000000", "1->3 UPTODATE", "3->1 ACK 0x200000000",
            // As ZooKeeper's learner, it acknowledges what it logged during the sync once it is up to date.
            "3->1 ACK 0x100000002", "3->1 ACK 0x100000003",
        ])
        #expect(ensemble.applied[3]!.map(\.zxid) == [z(1, 1), z(1, 2), z(1, 3)])
    }

    @Test func aNewerEpochBeatsALongerHistory() {
        var ensemble = ScriptedEnsemble(histories: [
            1: (2, [z(1, 1), z(2, 1)]), 2: (1, [z(1, 1), z(1, 2), z(1, 3)]), 3: (1, [z(1, 1)]),
        ])
        ensemble.startAll()
        ensemble.run(millis: 500)
        #expect(ensemble.state(1) == "leading")
        // Server 2 logged 1.2 and 1.3, which the new history replaced by 2.1: cut back, then catch up.
        #expect(ensemble.conversation(1, 2).prefix(6) == [
            "2->1 FOLLOWERINFO accepted=1", "1->2 LEADERINFO epoch=3", "2->1 ACKEPOCH current=1 last=0x100000003",
            "1->2 SNAP 0x200000001", "1->2 NEWLEADER 0x300000000", "2->1 ACK 0x300000000",
        ])
        #expect(ensemble.transcript.contains("2 saves snapshot 0x200000001"))
    }

    @Test func aStaleLeaderWithUncommittedTxnsIsTruncated() {
        // Server 3 led epoch 1 and logged 1.3 and 1.4 that no one else has; 1 and 2 elect without it.
        var ensemble = ScriptedEnsemble(histories: [
            1: (1, [z(1, 1), z(1, 2)]), 2: (1, [z(1, 1), z(1, 2)]), 3: (1, [z(1, 1), z(1, 2), z(1, 3), z(1, 4)]),
        ])
        ensemble.isolated = [3]
        ensemble.startAll()
        ensemble.run(millis: 1_000)
        #expect(ensemble.state(2) == "leading")
        ensemble.isolated = []
        ensemble.run(millis: 3_000)
        #expect(ensemble.state(3) == "following(leader: 2)")
        #expect(ensemble.conversation(2, 3).contains("2->3 TRUNC 0x100000002"))
        #expect(ensemble.transcript.contains("3 truncates after 0x100000002"))
        #expect(ensemble.applied[3]!.map(\.zxid) == [z(1, 1), z(1, 2)])
    }

    @Test func anAcknowledgedWriteSurvivesTheLeader() {
        var ensemble = ScriptedEnsemble(histories: [1: (0, []), 2: (0, []), 3: (0, [])])
        ensemble.startAll()
        ensemble.run(millis: 500)
        let zxid = ensemble.write(at: 3)
        ensemble.run()
        #expect(ensemble.applied[3]!.map(\.zxid) == [zxid!])
        ensemble.crash(3)
        ensemble.run(millis: 3_000)
        #expect(ensemble.state(2) == "leading")
        #expect(ensemble.applied[2]!.map(\.zxid) == [zxid!])
        #expect(ensemble.applied[1]!.map(\.zxid) == [zxid!])
        #expect(ensemble.write(at: 2) == z(2, 1))
    }

    @Test func anIsolatedLeaderStepsDownAndTheMajorityGoesOn() {
        var ensemble = ScriptedEnsemble(histories: [1: (0, []), 2: (0, []), 3: (0, [])])
        ensemble.startAll()
        ensemble.run(millis: 500)
        ensemble.isolated = [3]
        // A write the isolated leader takes cannot commit.
        let lost = ensemble.write(at: 3)
        ensemble.run(millis: 2_000)
        #expect(ensemble.state(3) == "looking")
        #expect(ensemble.state(2) == "leading")
        #expect(ensemble.transcript.contains { $0.hasPrefix("3 drops 1: not enough followers in sync") || $0.hasPrefix("3 drops 1: learner 1 silent") })
        ensemble.isolated = []
        ensemble.run(millis: 3_000)
        #expect(ensemble.state(3) == "following(leader: 2)")
        #expect(!ensemble.applied[3]!.contains { $0.zxid == lost })
    }

    @Test func zxidCounterExhaustionForcesANewEpoch() {
        // With the counter capped at 3, epoch 1 holds two proposals; the leader then steps down and a new epoch
        // continues where it stopped, losing nothing.
        var ensemble = ScriptedEnsemble(histories: [1: (0, []), 2: (0, []), 3: (0, [])], zxidCounterLimit: 3)
        ensemble.startAll()
        ensemble.run(millis: 500)
        #expect(ensemble.write(at: 3) == z(1, 1))
        #expect(ensemble.write(at: 3) == z(1, 2))
        #expect(ensemble.write(at: 3) == nil)
        ensemble.run(millis: 2_000)
        let leader = [1, 2, 3].first { ensemble.state($0) == "leading" }
        #expect(leader != nil)
        #expect(ensemble.write(at: leader!) == z(2, 1))
        ensemble.run()
        for id: Int64 in [1, 2, 3] {
            #expect(ensemble.applied[id]!.map(\.zxid) == [z(1, 1), z(1, 2), z(2, 1)])
        }
    }
}
