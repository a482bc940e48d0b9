import AviaryConsensus

/// The invariants every run must keep.
struct SimulationChecker {
    var violations: [String] = []
    /// The one txn each zxid ever stands for, across every server.
    var contentByZxid: [Int64: Int64] = [:]
    /// Writes a client saw acknowledged (committed by a serving leader), by zxid.
    var acknowledged: [Int64: SimulatedTxn] = [:]

    mutating func recordDelivery(node: Int64, txn: SimulatedTxn, acknowledged isAcknowledged: Bool, state: inout SimulatedState) {
        if let problem = state.apply(txn) {
            violations.append("server \(node): \(problem)")
        }
        check(txn, at: node)
        if isAcknowledged { acknowledged[txn.zxid] = txn }
    }

    /// A server's state was replaced (boot, SNAP, reload after TRUNC): each txn in it must agree with history.
    mutating func recordReset(node: Int64, state: SimulatedState) {
        for txn in state.applied { check(txn, at: node) }
    }

    private mutating func check(_ txn: SimulatedTxn, at node: Int64) {
        if let known = contentByZxid[txn.zxid], known != txn.writeId {
            violations.append("server \(node) holds w\(txn.writeId) at \(Zxid.hex(txn.zxid)), where w\(known) was seen")
        } else {
            contentByZxid[txn.zxid] = txn.writeId
        }
    }

    /// After healing and draining: every server holds the same history, it contains every acknowledged write,
    /// and each server's disk recovers exactly what it serves.
    mutating func checkFinal(nodes: [SimulatedNode], report: inout SimulationReport) {
        guard let reference = nodes.first else { return }
        for node in nodes where node.state != reference.state {
            violations.append(
                "server \(node.id) ends at \(Zxid.hex(node.state.lastZxid)) with \(node.state.applied.count) txns, "
                    + "server \(reference.id) at \(Zxid.hex(reference.state.lastZxid)) with \(reference.state.applied.count)")
        }
        let held = Dictionary(reference.state.applied.map { ($0.zxid, $0.writeId) }, uniquingKeysWith: { a, _ in a })
        for (zxid, txn) in acknowledged.sorted(by: { $0.key < $1.key }) where held[zxid] != txn.writeId {
            violations.append("acknowledged \(txn) is missing from the final history")
        }
        for node in nodes {
            var disk = node.disk
            _ = disk.sync()
            if disk.recover() != node.state {
                violations.append("server \(node.id): disk recovers \(disk.recover().applied.count) txns, serves \(node.state.applied.count)")
            }
        }
    }
}
