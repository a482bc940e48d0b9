import ArgumentParser
import AviarySimulator

/// Runs many seeded ensembles with crashes, partitions and message loss, and reports any broken invariant
/// with the seed that replays it.
@main
struct AviarySimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviary-sim", abstract: "Run seeded simulations of Aviary ensembles under faults.")

    @Option(help: "How many seeds to run.") var seeds: Int = 100
    @Option(help: "The first seed.") var firstSeed: UInt64 = 1
    @Option(help: "Voting servers per ensemble.") var servers: Int = 3
    @Option(help: "Observers per ensemble.") var observers: Int = 0
    @Option(help: "Milliseconds of simulated time with faults.") var faultyMillis: Int64 = 20_000
    @Flag(help: "Print every run, not only failures.") var verbose = false
    @Flag(help: "Print every input and effect (use with one seed).") var trace = false

    func run() throws {
        var options = SimulationOptions()
        options.servers = servers
        options.observers = observers
        options.faultyPeriodMillis = faultyMillis
        options.trace = trace
        var failures = 0
        var acknowledged = 0
        for seed in firstSeed..<(firstSeed + UInt64(seeds)) {
            var simulation = Simulation(seed: seed, options: options)
            let report = simulation.run()
            acknowledged += report.acknowledgedWrites
            if !report.passed { failures += 1 }
            if verbose || !report.passed { print(report) }
        }
        print("\(seeds) runs, \(failures) failed, \(acknowledged) acknowledged writes checked")
        if failures > 0 { throw ExitCode.failure }
    }
}
