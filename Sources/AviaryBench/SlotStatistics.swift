/// What one benchmark slot (one in-flight request stream) measured. Each slot owns its statistics, so
/// recording needs no lock; the runner merges them when the slots finish.
public struct SlotStatistics: Sendable {
    public var latency = LatencyHistogram()
    public var perOperation: [BenchOperation: LatencyHistogram] = [:]
    /// Failed operations by ZooKeeper error name (`noNode`, `connectionLoss`, ...); never counted as done.
    public var errors: [String: Int] = [:]
    /// When the last measured operation of the slot ended, in nanoseconds since the measurement began.
    public var lastEndNanos: UInt64 = 0
    /// The nodes `create` left behind (made and not deleted again), by full path, for the clean-up.
    var leftoverNodes: [String] = []

    public init() {}

    mutating func record(_ operation: BenchOperation, nanos: UInt64) {
        latency.record(nanos)
        perOperation[operation, default: LatencyHistogram()].record(nanos)
    }

    public mutating func merge(_ other: SlotStatistics) {
        latency.merge(other.latency)
        for (operation, histogram) in other.perOperation {
            perOperation[operation, default: LatencyHistogram()].merge(histogram)
        }
        for (code, count) in other.errors { errors[code, default: 0] += count }
        lastEndNanos = max(lastEndNanos, other.lastEndNanos)
        leftoverNodes += other.leftoverNodes
    }
}
