import AviaryConsensus

/// The shape of one replica-level run. Times are simulated milliseconds.
public struct ReplicaSimulationOptions: Sendable {
    public var servers: Int = 3
    public var observers: Int = 0
    /// Client sessions, each connected to one server at a time.
    public var clients: Int = 4
    /// How long faults are injected; then the network heals, every server restarts and the run must settle.
    public var faultyPeriodMillis: Int64 = 12_000
    /// After healing, a serving leader followed by every server, and an answer for every client, within this long.
    public var settleLimitMillis: Int64 = 30_000
    public var tickTimeMillis: Int64 = 200
    public var initLimit: Int64 = 10
    public var syncLimit: Int64 = 5
    /// How often each server's monotonic clock is fed to it (the real shell: every 50 ms).
    public var clockIntervalMillis: Int64 = 50
    public var messageDelayMillis: ClosedRange<Int64> = 1...15
    public var diskSyncMillis: ClosedRange<Int64> = 1...25
    /// Now and then a message or a sync takes much longer (a slow link, a stalled disk); streams stay in order.
    public var slowProbability: Double = 0.02
    public var slowDelayMillis: ClosedRange<Int64> = 50...400
    /// Per election message.
    public var notificationLossProbability: Double = 0.02
    /// Mean time between faults (crash, power cut, restart, partition, heal, connection reset).
    public var meanFaultIntervalMillis: Int64 = 800
    /// A small DIFF window, so SNAP, TRUNC and DIFF all happen within a short run.
    public var committedLogCount: Int = 60
    /// The log rolls, and the tree is snapshotted, after a random number of txns in this range (snapCount).
    public var snapshotEveryTxns: ClosedRange<Int> = 30...60
    /// The session timeout clients ask for; the servers clamp it to [2, 20] ticks.
    public var sessionTimeoutMillis: Int32 = 3_000
    /// Time between a connected client's operations.
    public var clientOperationIntervalMillis: ClosedRange<Int64> = 5...60
    /// Requests a client keeps in flight at most (pings not counted).
    public var clientInFlightMax: Int = 4
    /// Persistent nodes each client creates and keeps writing.
    public var pathsPerClient: Int = 3
    /// A learner's dial to its leader: attempts, spaced this far apart, before it reports the connection lost.
    public var dialAttempts: Int = 5
    public var dialRetryMillis: Int64 = 500

    /// Start the consensus core from the last zxid in the log rather than the recovered tree's, as
    /// `Server.makeConsensus` does (`recovered.lastLoggedZxid ?? recovered.lastZxid`); they differ when a
    /// snapshot got ahead of the synced log before a crash.
    public var lastLoggedZxidFromLog = false

    /// Sabotage, to show the checkers catch a broken shell: the disk acknowledges syncs it did not do, so a
    /// crash also loses the last synced txns.
    public var diskLiesAboutSync = false

    /// Print every input and effect, for replaying a failing seed.
    public var trace = false

    public init() {}
}
