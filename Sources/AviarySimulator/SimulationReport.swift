/// What a run did and what went wrong, if anything. A failure names the seed that replays it.
public struct SimulationReport: Sendable, CustomStringConvertible {
    public var seed: UInt64
    public var violations: [String] = []
    public var acknowledgedWrites = 0
    public var elections = 0
    public var crashes = 0
    public var partitions = 0
    public var snapshotSyncs = 0
    public var truncations = 0
    public var settleMillis: Int64?
    public var finalZxid: Int64 = 0

    public var passed: Bool { violations.isEmpty }

    public var description: String {
        var text = "seed \(seed): \(passed ? "ok" : "FAILED") acked=\(acknowledgedWrites) elections=\(elections) "
            + "crashes=\(crashes) partitions=\(partitions) snaps=\(snapshotSyncs) truncs=\(truncations) "
            + "settle=\(settleMillis.map { "\($0)ms" } ?? "never")"
        for violation in violations.prefix(5) {
            text += "\n  - \(violation)"
        }
        return text
    }
}
