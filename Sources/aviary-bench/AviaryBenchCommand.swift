import ArgumentParser
import AviaryBench
import AviaryClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `aviary-bench`: a ZooKeeper load generator. Prints one JSON line on standard output; progress goes to
/// standard error.
@main
struct AviaryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviary-bench",
        abstract: "Load generator for ZooKeeper-compatible servers; prints one JSON line.",
        discussion: """
            Operations: create, set, get, exists, delete, multi, watch-heavy. Latencies are in microseconds \
            from a log-linear histogram (0.8 % resolution); failed operations are counted by error code and \
            never as throughput.
            """
    )

    @Option(help: "Connection string of the server under test.")
    var server = "127.0.0.1:2181"
    @Option(help: "Number of sessions.")
    var sessions = 16
    @Option(help: "Requests in flight per session.")
    var inFlight = 8
    @Option(help: "Operation weights, e.g. get=90,set=10.")
    var mix = "get=90,set=10"
    @Option(help: "Bytes of data per node.")
    var payloadBytes = 100
    @Option(help: "Keys (nodes) read and written, created before the run.")
    var keys = 1_000
    @Option(help: "Measured seconds (ignored with --ops).")
    var duration: Double = 10
    @Option(help: "Measured operations instead of a duration.")
    var ops: Int?
    @Option(help: "Seconds of load before measuring.")
    var warmup: Double = 2
    @Option(help: "Parent node of everything the benchmark creates.")
    var root = "/aviary-bench"
    @Option(help: "Seed of the operation and key choices.")
    var seed: UInt64 = 1
    @Option(help: "Session timeout in milliseconds.")
    var sessionTimeout = 30_000
    @Flag(help: "Leave the nodes that create made.")
    var noCleanup = false
    @Option(parsing: .upToNextOption, help: "Two connection strings A B: run the workload on each in alternation and report ratios.")
    var compare: [String] = []
    @Option(help: "With --compare: rounds of (A, B).")
    var rounds = 2
    @Option(help: "PEM file of CA certificates: connect over TLS, trusting these.")
    var tlsCa: String?
    @Option(help: "PEM file with a client certificate and its key, for servers that ask for one.")
    var tlsCert: String?
    @Option(help: "With --compare: the server TLS applies to (both, a or b).")
    var tlsOn: BenchConfiguration.TLSSides = .both

    func validate() throws {
        guard compare.isEmpty || compare.count == 2 else { throw ValidationError("--compare takes two connection strings") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be positive") }
    }

    func run() async throws {
        do throws(BenchError) {
            var configuration = BenchConfiguration(server: server, mix: try OperationMix(parsing: mix))
            configuration.sessions = sessions
            configuration.inFlight = inFlight
            configuration.payloadBytes = payloadBytes
            configuration.keys = keys
            configuration.durationSeconds = duration
            configuration.operations = ops
            configuration.warmupSeconds = warmup
            configuration.root = root
            configuration.seed = seed
            configuration.sessionTimeoutMillis = sessionTimeout
            configuration.cleanup = !noCleanup
            configuration.tls = tlsCa.map { ClientTLS(trustStorePath: $0, certificatePath: tlsCert) }
            configuration.tlsSides = tlsOn
            try configuration.validate()
            let line: JSONValue
            if compare.count == 2 {
                let comparison = BenchComparison(
                    configuration: configuration, serverA: compare[0], serverB: compare[1], rounds: rounds)
                line = try await comparison.run { message in printError(message) }
            } else {
                line = try await BenchRunner(configuration: configuration).run().json
            }
            print(line.text)
        } catch {
            printError("aviary-bench: \(error.message)")
            throw ExitCode(1)
        }
    }
}

private func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

private func writeStandardError(_ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(2, pointer, count)
}

private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        _ = bytes.withUnsafeBytes { writeStandardError($0.baseAddress, $0.count) }
    }
}
extension BenchConfiguration.TLSSides: ExpressibleByArgument {}
