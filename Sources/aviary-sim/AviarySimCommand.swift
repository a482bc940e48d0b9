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
    @Option(help: "Milliseconds of simulated time with faults (default 20000; 12000 with --replicas).")
    var faultyMillis: Int64?
    @Flag(help: "Print every run, not only failures.") var verbose = false
    @Flag(help: "Print every input and effect (use with one seed).") var trace = false
    @Flag(help: "Simulate whole replicas with client sessions instead of bare consensus cores.") var replicas = false
    @Option(help: "Client sessions per ensemble (with --replicas).") var clients: Int = 4
    @Flag(help: "With --replicas: start consensus from the log's last zxid, as the server does.")
    var lastLoggedFromLog = false
    @Flag(help: "With --replicas: a disk that loses synced txns on a crash, to see the checkers fail.")
    var sabotageDisk = false

    func run() throws {
        if replicas {
            var options = ReplicaSimulationOptions()
            options.servers = servers
            options.observers = observers
            options.clients = clients
            options.lastLoggedZxidFromLog = lastLoggedFromLog
            options.diskLiesAboutSync = sabotageDisk
            if let faultyMillis { options.faultyPeriodMillis = faultyMillis }
            options.trace = trace
            try runSeeds { seed in
                var simulation = ReplicaSimulation(seed: seed, options: options)
                let report = simulation.run()
                return (report.passed, report.acknowledgedWrites, report.description)
            }
        } else {
            var options = SimulationOptions()
            options.servers = servers
            options.observers = observers
            options.faultyPeriodMillis = faultyMillis ?? 20_000
            options.trace = trace
            try runSeeds { seed in
                var simulation = Simulation(seed: seed, options: options)
                let report = simulation.run()
                return (report.passed, report.acknowledgedWrites, report.description)
            }
        }
    }

    private func runSeeds(_ runOne: (UInt64) -> (passed: Bool, acknowledged: Int, description: String)) throws {
        var failures = 0
        var acknowledged = 0
        for seed in firstSeed..<(firstSeed + UInt64(seeds)) {
            let outcome = runOne(seed)
            acknowledged += outcome.acknowledged
            if !outcome.passed { failures += 1 }
            if verbose || !outcome.passed { print(outcome.description) }
        }
        print("\(seeds) runs, \(failures) failed, \(acknowledged) acknowledged writes checked")
        if failures > 0 { throw ExitCode.failure }
    }
}
