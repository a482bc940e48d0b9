import AviaryClient

/// One benchmark workload. The same configuration run against two servers gives comparable numbers.
public struct BenchConfiguration: Sendable, Hashable {
    /// Connection string of the server under test.
    public var server: String
    /// ZooKeeper sessions (one connection each).
    public var sessions = 16
    /// Requests each session keeps outstanding.
    public var inFlight = 8
    public var mix: OperationMix
    public var payloadBytes = 100
    /// Keys read and written by get/set/exists/multi/watch, created under `root` before the run.
    public var keys = 1_000
    /// Measured seconds; ignored when `operations` is set.
    public var durationSeconds: Double = 10
    /// Measured operations in total (split evenly over the slots), instead of a duration.
    public var operations: Int?
    /// Seconds run before measuring, to fill caches, JIT (for a Java server) and connection buffers.
    public var warmupSeconds: Double = 2
    public var root = "/aviary-bench"
    public var seed: UInt64 = 1
    public var sessionTimeoutMillis = 30_000
    /// Delete the nodes `create` made when the run ends.
    public var cleanup = true
    /// Connect over TLS.
    public var tls: ClientTLS?
    /// With `--compare`: which of the two servers TLS applies to.
    public var tlsSides: TLSSides = .both

    public enum TLSSides: String, Sendable, Hashable, CaseIterable {
        case both, a, b

        /// Whether the server labelled `side` ("a" or "b") is dialed with TLS.
        func includes(_ side: String) -> Bool { self == .both || rawValue == side }
    }

    public init(server: String, mix: OperationMix) {
        self.server = server
        self.mix = mix
    }

    /// - Throws: `BenchError` naming the first setting out of range.
    public func validate() throws(BenchError) {
        guard (1...10_000).contains(sessions) else { throw BenchError("--sessions must be in 1...10000") }
        guard (1...10_000).contains(inFlight) else { throw BenchError("--in-flight must be in 1...10000") }
        guard (0...1_048_000).contains(payloadBytes) else { throw BenchError("--payload-bytes must be in 0...1048000") }
        guard (1...10_000_000).contains(keys) else { throw BenchError("--keys must be in 1...10000000") }
        guard durationSeconds > 0, durationSeconds <= 86_400 else { throw BenchError("--duration must be in (0, 86400]") }
        if let operations, operations < 1 { throw BenchError("--ops must be positive") }
        guard warmupSeconds >= 0, warmupSeconds <= 3_600 else { throw BenchError("--warmup must be in [0, 3600]") }
        guard root.hasPrefix("/"), root.count > 1, !root.hasSuffix("/") else {
            throw BenchError("--root must be an absolute path other than /")
        }
    }

    var slotCount: Int { sessions * inFlight }
    var keyRoot: String { root + "/keys" }

    func keyPath(_ index: Int) -> String { "\(keyRoot)/k\(index)" }
}
