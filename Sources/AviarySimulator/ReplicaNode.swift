import AviaryConsensus
import AviaryReplica
import AviaryWire

/// One simulated server: its replica while it runs, its disk always, and what its shell knows of its learner
/// connections. A crash keeps only the disk.
struct ReplicaNode: Sendable {
    let id: Int64
    var incarnation = 0
    var replica: Replica?
    var disk = ReplicaDisk()
    /// The learner connection this server's shell uses for each peer (ZooKeeper's leader connection, or the
    /// learners by server id once their FOLLOWERINFO named them).
    var learnerLinks: [Int64: Int] = [:]
    /// The zxid of the leader's last PING, which this learner's PING reply echoes.
    var lastLeaderPingZxid: Int64 = 0
    /// Bumped whenever a dial to a leader stops being wanted, so a late success is closed, not used.
    var dialGeneration = 0
    /// Bumped whenever the log writer is replaced (truncation, SNAP): durability reports of the old one are
    /// ignored, as the real driver ignores them.
    var logGeneration = 0
    /// How many of the unsynced txns the log writer is syncing now (its batch); 0 when it is idle.
    var batchBeingSynced = 0
    /// Txns logged since the last snapshot, and how many more roll the log and take one.
    var txnsSinceSnapshot = 0
    var snapshotAfterTxns = 0
    /// The tree's zxid after this server's last step: what its next step applies must follow it.
    var appliedThrough: Int64 = 0

    var isRunning: Bool { replica != nil }

    init(id: Int64) {
        self.id = id
    }

    mutating func crash() {
        replica = nil
        disk.crash()
        learnerLinks.removeAll()
        lastLeaderPingZxid = 0
        batchBeingSynced = 0
        dialGeneration += 1
        logGeneration += 1
    }
}
