/// `--compare A B`: the same workload against two servers in alternation (A, B, A, B, ...), so a change in
/// the machine's load during the run (the machine is shared) affects both about equally; then both totals
/// and their ratios (B over A: above 1 means B did more operations per second, or took longer).
public struct BenchComparison: Sendable {
    public let configuration: BenchConfiguration
    public let serverA: String
    public let serverB: String
    public let rounds: Int

    public init(configuration: BenchConfiguration, serverA: String, serverB: String, rounds: Int) {
        self.configuration = configuration
        self.serverA = serverA
        self.serverB = serverB
        self.rounds = rounds
    }

    /// Runs the rounds and returns the JSON line's value. `progress` hears about each finished run.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws(BenchError) -> JSONValue {
        var totalA: BenchResult?
        var totalB: BenchResult?
        var perRound: [JSONValue] = []
        for round in 0..<rounds {
            var roundRates: [(String, JSONValue)] = []
            for (label, server) in [("a", serverA), ("b", serverB)] {
                var workload = configuration
                workload.server = server
                if !configuration.tlsSides.includes(label) { workload.tls = nil }
                let result = try await BenchRunner(configuration: workload).run(round: round)
                progress("round \(round + 1)/\(rounds) \(label) \(server): \(Int(result.operationsPerSecond)) ops/s")
                roundRates.append((label, .double(result.operationsPerSecond)))
                if label == "a" {
                    if totalA == nil { totalA = result } else { totalA?.merge(result) }
                } else {
                    if totalB == nil { totalB = result } else { totalB?.merge(result) }
                }
            }
            perRound.append(.object(roundRates))
        }
        guard let a = totalA, let b = totalB else { throw BenchError("--rounds must be positive") }
        func ratio(_ x: Double, _ y: Double) -> JSONValue { y > 0 ? .double(x / y) : .null }
        return .object([
            ("a", a.json),
            ("b", b.json),
            ("ratio_b_over_a", .object([
                ("ops_per_sec", ratio(b.operationsPerSecond, a.operationsPerSecond)),
                ("p50", ratio(b.latencyMicros(0.5), a.latencyMicros(0.5))),
                ("p90", ratio(b.latencyMicros(0.9), a.latencyMicros(0.9))),
                ("p99", ratio(b.latencyMicros(0.99), a.latencyMicros(0.99))),
                ("p999", ratio(b.latencyMicros(0.999), a.latencyMicros(0.999))),
            ])),
            ("rounds", .array(perRound)),
        ])
    }
}
