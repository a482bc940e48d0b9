import AviaryConsensus

/// One server's disk: what was synced survives a crash, what was only written does not.
struct SimulatedDisk: Sendable {
    var acceptedEpoch: Int64 = 0
    var currentEpoch: Int64 = 0
    var durableLog: [SimulatedTxn] = []
    /// Written but not yet synced; lost by a crash.
    var unsyncedLog: [SimulatedTxn] = []
    var snapshots: [(zxid: Int64, state: SimulatedState)] = [(0, SimulatedState())]

    mutating func crash() {
        unsyncedLog.removeAll()
    }

    mutating func sync() -> Int64? {
        guard let last = unsyncedLog.last else { return nil }
        durableLog.append(contentsOf: unsyncedLog)
        unsyncedLog.removeAll()
        return last.zxid
    }

    /// ZooKeeper's truncation: log records and snapshots after `zxid` go.
    mutating func truncate(after zxid: Int64) {
        _ = sync()
        durableLog.removeAll { $0.zxid > zxid }
        snapshots.removeAll { $0.zxid > zxid }
        if snapshots.isEmpty { snapshots = [(0, SimulatedState())] }
    }

    /// Recovery: the newest snapshot, then every logged txn after it.
    func recover() -> SimulatedState {
        let base = snapshots.max { $0.zxid < $1.zxid }!
        var state = base.state
        for txn in durableLog where txn.zxid > base.zxid {
            state.applied.append(txn)
        }
        return state
    }

    /// The last txns of the recovered history, for the consensus core's DIFF window.
    func recentHistory(limit: Int) -> [(zxid: Int64, txn: SimulatedTxn)] {
        recover().applied.suffix(limit).map { ($0.zxid, $0) }
    }
}
