/// Settings of the consensus core, from zoo.cfg. Times are in milliseconds of the shell's monotonic clock.
public struct ConsensusConfiguration: Sendable {
    public var myId: Int64
    public var membership: QuorumMembership
    public var tickTimeMillis: Int64
    /// Ticks a learner has to connect and synchronize with a new leader.
    public var initLimit: Int64
    /// Ticks a synced learner may stay silent before the leader (or the learner) gives up on the other.
    public var syncLimit: Int64
    /// How long a server that sees a quorum for its vote waits for a better notification before deciding.
    public var finalizeWaitMillis: Int64
    /// Notifications are resent after this long without news, doubling up to the maximum.
    public var minNotificationIntervalMillis: Int64
    public var maxNotificationIntervalMillis: Int64
    /// Committed txns the leader keeps in memory to catch learners up by DIFF (ZooKeeper's commitLogCount).
    public var committedLogCount: Int
    /// The counter value no proposal may reach; ZooKeeper's is 0xffffffff. Lower it to exercise roll-over.
    public var zxidCounterLimit: Int64

    public init(
        myId: Int64, membership: QuorumMembership, tickTimeMillis: Int64 = 2000, initLimit: Int64 = 10,
        syncLimit: Int64 = 5, finalizeWaitMillis: Int64 = 200, minNotificationIntervalMillis: Int64 = 200,
        maxNotificationIntervalMillis: Int64 = 60_000, committedLogCount: Int = 500,
        zxidCounterLimit: Int64 = Zxid.maxCounter
    ) {
        self.zxidCounterLimit = zxidCounterLimit
        self.myId = myId
        self.membership = membership
        self.tickTimeMillis = tickTimeMillis
        self.initLimit = initLimit
        self.syncLimit = syncLimit
        self.finalizeWaitMillis = finalizeWaitMillis
        self.minNotificationIntervalMillis = minNotificationIntervalMillis
        self.maxNotificationIntervalMillis = maxNotificationIntervalMillis
        self.committedLogCount = committedLogCount
    }

    var isObserver: Bool { !membership.isParticipant(myId) }
    var initTimeoutMillis: Int64 { initLimit * tickTimeMillis }
    var syncTimeoutMillis: Int64 { syncLimit * tickTimeMillis }
}
