import AviarySimulator
import Testing

/// Seeded ensembles of whole replicas with client sessions, under crashes, power cuts, partitions that also
/// cut clients off, slow links and reset connections. A failure prints its seed;
/// `aviary-sim --replicas --first-seed N --seeds 1 [--servers 5 | --observers 1] --trace` replays it step by step.
@Suite struct ReplicaSimulationTests {
    @Test func threeReplicaEnsembles() async {
        await expectAllPass(seeds: 1...300, servers: 3, observers: 0)
    }

    @Test func fiveReplicaEnsembles() async {
        await expectAllPass(seeds: 1001...1120, servers: 5, observers: 0)
    }

    @Test func ensemblesWithAnObserver() async {
        await expectAllPass(seeds: 2001...2080, servers: 3, observers: 1)
    }

    @Test func sameSeedReplaysExactly() {
        var first = ReplicaSimulation(seed: 7, options: Self.options(servers: 3, observers: 0))
        var second = ReplicaSimulation(seed: 7, options: Self.options(servers: 3, observers: 0))
        let a = first.run()
        let b = second.run()
        #expect(a.description == b.description)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.acknowledgedWrites > 0)
    }

    /// The checkers are not vacuous: a disk that acknowledges syncs it never did loses acknowledged writes,
    /// and some seed must show it.
    @Test func aDiskThatLiesAboutSyncIsCaught() async {
        var options = Self.options(servers: 3, observers: 0)
        options.diskLiesAboutSync = true
        var failed = 0
        for seed in UInt64(1)...12 {
            let passed = await DedicatedThread.run { [options] in
                var simulation = ReplicaSimulation(seed: seed, options: options)
                return simulation.run().passed
            }
            if !passed { failed += 1 }
        }
        #expect(failed > 0)
    }

    static func options(servers: Int, observers: Int) -> ReplicaSimulationOptions {
        var options = ReplicaSimulationOptions()
        options.servers = servers
        options.observers = observers
        return options
    }

    /// Yields between runs: they are CPU-bound and would otherwise hold the test pool's few threads.
    private func expectAllPass(seeds: ClosedRange<UInt64>, servers: Int, observers: Int) async {
        let options = Self.options(servers: servers, observers: observers)
        var reports: [ReplicaSimulationReport] = []
        for seed in seeds {
            let report = await DedicatedThread.run {
                var simulation = ReplicaSimulation(seed: seed, options: options)
                return simulation.run()
            }
            #expect(report.passed, "\(report)")
            reports.append(report)
        }
        // The runs must have exercised something: writes and reads checked, leaders replaced, state sent by
        // SNAP, sessions that expired and sessions closed by their clients.
        func total(_ count: (ReplicaSimulationReport) -> Int) -> Int { reports.reduce(0) { $0 + count($1) } }
        #expect(total(\.acknowledgedWrites) > seeds.count * 50)
        #expect(total(\.readsChecked) > seeds.count * 50)
        #expect(total(\.elections) > seeds.count)
        #expect(total(\.snapshotSyncs) > 0)
        #expect(total(\.sessionsExpired) > 0)
        #expect(total(\.sessionsClosed) > 0)
    }
}
