import AviaryStorage
import AviaryWire

/// The last committed txns of the recovered log, so this server can bring learners up to date by DIFF if it
/// becomes leader (ZooKeeper keeps its commitLogCount in memory the same way).
enum RecentHistory {
    static func read(logDirectory: String, after zxid: Int64, limit: Int) throws -> [(zxid: Int64, txn: Txn)] {
        var history: [(zxid: Int64, txn: Txn)] = []
        do {
            _ = try TxnLogReader(directory: logDirectory).read(after: zxid) { logged in
                history.append((logged.txn.zxid, logged.txn))
                if history.count > 2 * limit { history.removeFirst(history.count - limit) }
            }
        } catch {
            throw StartupError("cannot read the transaction log for recent history: \(error)")
        }
        return Array(history.suffix(limit))
    }
}
