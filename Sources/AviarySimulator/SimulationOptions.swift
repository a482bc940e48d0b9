import AviaryConsensus

/// The shape of one simulated run. Times are simulated milliseconds.
public struct SimulationOptions: Sendable {
    public var servers: Int = 3
    public var observers: Int = 0
    /// How long faults are injected; then the network heals, every server restarts and the run must settle.
    public var faultyPeriodMillis: Int64 = 20_000
    /// After healing, a leader with every server in sync must exist within this long.
    public var settleLimitMillis: Int64 = 30_000
    public var tickTimeMillis: Int64 = 200
    public var initLimit: Int64 = 10
    public var syncLimit: Int64 = 5
    public var tickIntervalMillis: Int64 = 10
    public var messageDelayMillis: ClosedRange<Int64> = 1...15
    public var diskSyncMillis: ClosedRange<Int64> = 1...25
    /// Per election message.
    public var messageLossProbability: Double = 0.02
    /// Mean time between faults (crash, restart, partition, heal, connection reset).
    public var meanFaultIntervalMillis: Int64 = 1_000
    public var writeIntervalMillis: ClosedRange<Int64> = 5...40
    /// A small DIFF window, so catching up by SNAP and by on-window DIFF both happen.
    public var committedLogCount: Int = 300
    /// Lowered, it makes leaders run out of zxids under load, forcing the re-election ZooKeeper does.
    public var zxidCounterLimit: Int64 = Zxid.maxCounter

    /// Print every input and effect, for replaying a failing seed.
    public var trace = false

    public init() {}
}
