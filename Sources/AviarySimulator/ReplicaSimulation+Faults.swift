import AviaryConsensus
import AviaryReplica

/// The fault schedule: crashes, power cuts, restarts, partitions (clients fall on either side), healing, and
/// reset connections, one every so often while the faulty period lasts.
extension ReplicaSimulation {
    mutating func nextFaultTime() -> Int64 {
        now + random.between(options.meanFaultIntervalMillis / 2...options.meanFaultIntervalMillis * 3 / 2)
    }

    mutating func injectFault() {
        let running = ids.filter { node($0).isRunning }
        let crashed = ids.filter { !node($0).isRunning }
        switch random.between(0...12) {
        case 0...2:
            if let victim = running.randomElement(using: &random) { crash(victim, powerCut: false) }
        case 3...4:
            if let revived = crashed.randomElement(using: &random) { boot(revived) }
        case 5...6:
            partitionRandomly()
        case 7:
            healPartitions()
        case 8...9:
            let open = learnerLinks.keys.sorted().filter { !learnerLinks[$0]!.broken && learnerLinks[$0]!.closedBy.isEmpty }
            if let id = open.randomElement(using: &random) { breakLearnerLink(id, noticeAfter: delay()) }
        case 10...11:
            let open = clientLinks.keys.sorted().filter {
                let link = clientLinks[$0]!
                return !link.broken && !link.closedByClient && !link.closedByServer
            }
            if let id = open.randomElement(using: &random) {
                breakClientLink(id, clientNoticesAfter: delay(), serverNoticesAfter: delay())
            }
        default:
            // A power cut: every server goes down at once, keeping only what it had synced.
            for victim in running { crash(victim, powerCut: true) }
        }
    }

    /// Splits the servers in two, often one server (the leader, half the time) against the rest; each client
    /// lands on one side. Connections across break.
    private mutating func partitionRandomly() {
        report.partitions += 1
        healPartitions()
        var side: Set<Int64>
        if random.chance(0.5) {
            let leader = ids.first { node($0).replica?.consensus?.isLeaderServing == true }
            side = [leader.flatMap { random.chance(0.5) ? $0 : nil } ?? ids.randomElement(using: &random)!]
        } else {
            side = Set(ids.filter { _ in random.chance(0.5) })
        }
        partitionSide = side
        for index in clients.indices { clientOnPartitionSide[index] = random.chance(0.5) }
        for id in learnerLinks.keys.sorted() {
            guard let link = learnerLinks[id], !link.broken, serversCut(link.learner, link.leader) else { continue }
            breakLearnerLink(id, noticeAfter: partitionNoticeDelay())
        }
        for id in clientLinks.keys.sorted() {
            guard let link = clientLinks[id], !link.broken, clientCut(link.client, link.server) else { continue }
            breakClientLink(id, clientNoticesAfter: nil, serverNoticesAfter: random.between(1_000...6_000))
        }
    }

    mutating func healPartitions() {
        partitionSide = nil
        releaseHeldNotifications()
    }

    /// The end of the faulty period: the network heals and every stopped server starts.
    mutating func heal() {
        healPartitions()
        for id in ids where !node(id).isRunning { boot(id) }
    }
}
