import AviaryConsensus
import AviarySimulator
import Testing

/// Seeded ensembles under crashes, power cuts, partitions, lost messages and dropped connections. A failure
/// prints its seed; `aviary-sim --first-seed N --seeds 1 --trace` replays it step by step.
@Suite struct SimulationTests {
    @Test func threeServerEnsembles() async {
        await expectAllPass(seeds: 1...300, servers: 3, observers: 0)
    }

    @Test func fiveServerEnsembles() async {
        await expectAllPass(seeds: 1001...1150, servers: 5, observers: 0)
    }

    @Test func ensemblesWithAnObserver() async {
        await expectAllPass(seeds: 2001...2060, servers: 3, observers: 1)
    }

    @Test func zxidRollOverUnderLoad() async {
        await expectAllPass(seeds: 3001...3040, servers: 3, observers: 0, zxidCounterLimit: 120)
    }

    @Test func sameSeedReplaysExactly() {
        var first = Simulation(seed: 42)
        var second = Simulation(seed: 42)
        let a = first.run()
        let b = second.run()
        #expect(a.description == b.description)
        #expect(a.acknowledgedWrites > 0)
        #expect(a.finalZxid == b.finalZxid)
    }

    /// Yields between runs: the runs are CPU-bound and would otherwise hold the test pool's few threads,
    /// starving the suites that wait on real servers.
    private func expectAllPass(
        seeds: ClosedRange<UInt64>, servers: Int, observers: Int, zxidCounterLimit: Int64 = Zxid.maxCounter
    ) async {
        var options = SimulationOptions()
        options.zxidCounterLimit = zxidCounterLimit
        options.servers = servers
        options.observers = observers
        options.faultyPeriodMillis = 15_000
        var acknowledged = 0
        var elections = 0
        for seed in seeds {
            let report = await DedicatedThread.run { [options] in
                var simulation = Simulation(seed: seed, options: options)
                return simulation.run()
            }
            acknowledged += report.acknowledgedWrites
            elections += report.elections
            #expect(report.passed, "\(report)")
        }
        // The runs must have exercised something: writes acknowledged and leaders replaced.
        #expect(acknowledged > seeds.count * 20)
        #expect(elections > seeds.count)
    }
}
