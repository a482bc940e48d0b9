/// The outcome of one or more runs of a workload against one server, and its JSON form.
public struct BenchResult: Sendable {
    public var configuration: BenchConfiguration
    public var statistics: SlotStatistics
    /// Measured seconds, summed over runs.
    public var elapsedSeconds: Double
    public var runs = 1

    public init(configuration: BenchConfiguration, statistics: SlotStatistics) {
        self.configuration = configuration
        self.statistics = statistics
        // Duration runs are measured over their window (operations started in it, even if they end just
        // after); --ops runs until their last operation ends.
        if configuration.operations == nil {
            elapsedSeconds = max(configuration.durationSeconds, Double(statistics.lastEndNanos) / 1e9)
        } else {
            elapsedSeconds = Double(statistics.lastEndNanos) / 1e9
        }
    }

    public mutating func merge(_ other: BenchResult) {
        statistics.merge(other.statistics)
        elapsedSeconds += other.elapsedSeconds
        runs += other.runs
    }

    public var operations: UInt64 { statistics.latency.totalCount }
    public var errorCount: Int { statistics.errors.values.reduce(0, +) }

    public var operationsPerSecond: Double {
        elapsedSeconds > 0 ? Double(operations) / elapsedSeconds : 0
    }

    public func latencyMicros(_ quantile: Double) -> Double {
        Double(statistics.latency.value(atQuantile: quantile)) / 1000
    }

    public var json: JSONValue {
        var perOperation: [(String, JSONValue)] = []
        for operation in statistics.perOperation.keys.sorted() {
            guard let histogram = statistics.perOperation[operation] else { continue }
            perOperation.append((operation.rawValue, .object([
                ("ops", .int(Int(histogram.totalCount))),
                ("ops_per_sec", .double(elapsedSeconds > 0 ? Double(histogram.totalCount) / elapsedSeconds : 0)),
                ("latency_us", Self.latency(histogram)),
            ])))
        }
        return .object([
            ("server", .string(configuration.server)),
            ("ops", .int(Int(operations))),
            ("duration_s", .double(elapsedSeconds)),
            ("ops_per_sec", .double(operationsPerSecond)),
            ("latency_us", Self.latency(statistics.latency)),
            ("errors", .object([
                ("total", .int(errorCount)),
                ("by_code", .object(statistics.errors.keys.sorted().map { ($0, .int(statistics.errors[$0] ?? 0)) })),
            ])),
            ("per_op", .object(perOperation)),
            ("runs", .int(runs)),
            ("config", Self.configurationJSON(configuration)),
        ])
    }

    static func latency(_ histogram: LatencyHistogram) -> JSONValue {
        func micros(_ quantile: Double) -> JSONValue { .double(Double(histogram.value(atQuantile: quantile)) / 1000) }
        return .object([
            ("p50", micros(0.5)), ("p90", micros(0.9)), ("p99", micros(0.99)), ("p999", micros(0.999)),
            ("max", .double(Double(histogram.totalCount == 0 ? 0 : histogram.maxValue) / 1000)),
            ("mean", .double(histogram.mean / 1000)),
        ])
    }

    static func configurationJSON(_ configuration: BenchConfiguration) -> JSONValue {
        .object([
            ("sessions", .int(configuration.sessions)),
            ("in_flight", .int(configuration.inFlight)),
            ("mix", .object(configuration.mix.weights.map { ($0.operation.rawValue, .int($0.weight)) })),
            ("payload_bytes", .int(configuration.payloadBytes)),
            ("keys", .int(configuration.keys)),
            ("duration_s", configuration.operations == nil ? .double(configuration.durationSeconds) : .null),
            ("ops", configuration.operations.map { .int($0) } ?? .null),
            ("warmup_s", .double(configuration.warmupSeconds)),
            ("root", .string(configuration.root)),
            ("seed", .int(Int(truncatingIfNeeded: configuration.seed))),
        ])
    }
}
