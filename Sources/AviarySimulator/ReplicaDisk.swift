import AviaryDataTree
import AviaryReplica
import AviaryWire
import NIOCore

/// One replica server's data directory: epoch files, a txn log whose unsynced tail a crash loses, and snapshots
/// (the tree and sessions as `SnapshotTransfer` bytes, so a restart reads them back as the real recovery does).
struct ReplicaDisk: Sendable {
    struct Snapshot: Sendable {
        var zxid: Int64
        var data: ByteBuffer
    }

    /// What recovery rebuilds: the newest snapshot with every logged txn after it applied.
    struct Recovered: Sendable {
        var tree: DataTree
        var sessions: [(id: Int64, timeoutMillis: Int32)]
        var snapshotZxid: Int64
    }

    /// Snapshots kept besides the first (autopurge.snapRetainCount); the log is never purged.
    static let snapshotsRetained = 3

    var acceptedEpoch: Int64 = 0
    var currentEpoch: Int64 = 0
    var durableLog: [Txn] = []
    /// Handed to the log but not yet synced; lost by a crash.
    var unsyncedLog: [Txn] = []
    /// Like ZooKeeper, every history starts from a snapshot of the empty tree.
    var snapshots: [Snapshot] = [Snapshot(zxid: 0, data: SnapshotTransfer.encode(tree: DataTree(), sessions: []))]

    var lastLoggedZxid: Int64 { unsyncedLog.last?.zxid ?? durableLog.last?.zxid ?? 0 }

    mutating func crash() {
        unsyncedLog.removeAll()
    }

    /// Makes the first `count` written txns durable (all of them by default); returns the last one's zxid if
    /// there were any.
    @discardableResult
    mutating func sync(first count: Int? = nil) -> Int64? {
        let batch = unsyncedLog.prefix(count ?? unsyncedLog.count)
        guard let last = batch.last else { return nil }
        durableLog.append(contentsOf: batch)
        unsyncedLog.removeFirst(batch.count)
        return last.zxid
    }

    /// ZooKeeper's truncation: log records and snapshots after `zxid` go. The log writer is stopped first, which
    /// writes out what it holds.
    mutating func truncate(after zxid: Int64) {
        _ = sync()
        durableLog.removeAll { $0.zxid > zxid }
        snapshots.removeAll { $0.zxid > zxid }
    }

    mutating func saveSnapshot(tree: DataTree, sessions: [(id: Int64, timeoutMillis: Int32)]) {
        snapshots.append(Snapshot(zxid: tree.lastProcessedZxid, data: SnapshotTransfer.encode(tree: tree, sessions: sessions)))
        snapshots.sort { $0.zxid < $1.zxid }
        while snapshots.count > Self.snapshotsRetained + 1 { snapshots.remove(at: 1) }
    }

    /// The newest snapshot, then every durable txn after it, applied as recovery applies them (errors ignored,
    /// sessions tracked from createSession and closeSession).
    func recover() -> Recovered {
        let base = snapshots.last!
        guard let decoded = try? SnapshotTransfer.decode(base.data, zxid: base.zxid) else {
            preconditionFailure("a simulated snapshot at \(base.zxid) does not decode")
        }
        var tree = decoded.tree
        var sessions: [Int64: Int32] = [:]
        for session in decoded.sessions { sessions[session.id] = session.timeoutMillis }
        for txn in durableLog where txn.zxid > base.zxid {
            switch txn.body {
            case .createSession(let timeout): sessions[txn.header.clientId] = timeout
            case .closeSession: sessions[txn.header.clientId] = nil
            default: break
            }
            _ = tree.applyRecovered(txn)
        }
        let restored = sessions.sorted { $0.key < $1.key }.map { (id: $0.key, timeoutMillis: $0.value) }
        return Recovered(tree: tree, sessions: restored, snapshotZxid: base.zxid)
    }

    /// The last durable txns after the newest snapshot, for the consensus core's DIFF window (the real server
    /// reads them from the log the same way).
    func recentHistory(after snapshotZxid: Int64, limit: Int) -> [(zxid: Int64, txn: Txn)] {
        durableLog.filter { $0.zxid > snapshotZxid }.suffix(limit).map { ($0.zxid, $0) }
    }

    /// Logged txns with zxids in `range`, in order.
    func loggedTxns(in range: ClosedRange<Int64>) -> [Txn] {
        var result: [Txn] = []
        for log in [durableLog, unsyncedLog] {
            let start = Self.firstIndex(after: range.lowerBound - 1, in: log)
            for txn in log[start...] {
                guard txn.zxid <= range.upperBound else { break }
                result.append(txn)
            }
        }
        return result
    }

    /// Binary search: the first index whose zxid is greater than `zxid` (logs are in zxid order).
    private static func firstIndex(after zxid: Int64, in log: [Txn]) -> Int {
        var low = 0
        var high = log.count
        while low < high {
            let middle = (low + high) / 2
            if log[middle].zxid <= zxid { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
