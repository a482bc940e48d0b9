/// What a replica-level run did and what went wrong, if anything. A failure names the seed that replays it;
/// `fingerprint` sums up every step, so two runs of one seed can be compared beyond their counts.
public struct ReplicaSimulationReport: Sendable, CustomStringConvertible {
    public var seed: UInt64
    public var violations: [String] = []
    public var acknowledgedWrites = 0
    public var readsChecked = 0
    public var sessionsStarted = 0
    public var sessionsExpired = 0
    public var sessionsClosed = 0
    public var elections = 0
    public var crashes = 0
    public var partitions = 0
    public var snapshotSyncs = 0
    public var truncations = 0
    public var reloads = 0
    public var settleMillis: Int64?
    public var finalZxid: Int64 = 0
    public var steps = 0
    public var fingerprint: UInt64 = 0xcbf2_9ce4_8422_2325

    public var passed: Bool { violations.isEmpty }

    public var description: String {
        var text = "seed \(seed): \(passed ? "ok" : "FAILED") acked=\(acknowledgedWrites) reads=\(readsChecked) "
            + "sessions=\(sessionsStarted) expired=\(sessionsExpired) closed=\(sessionsClosed) elections=\(elections) "
            + "crashes=\(crashes) partitions=\(partitions) snaps=\(snapshotSyncs) truncs=\(truncations) "
            + "reloads=\(reloads) settle=\(settleMillis.map { "\($0)ms" } ?? "never") steps=\(steps) "
            + "fingerprint=\(String(fingerprint, radix: 16))"
        for violation in violations.prefix(8) {
            text += "\n  - \(violation)"
        }
        return text
    }

    /// Mixes one value into the fingerprint (FNV-1a over its bytes).
    mutating func mix(_ value: Int64) {
        var bits = UInt64(bitPattern: value)
        for _ in 0..<8 {
            fingerprint = (fingerprint ^ (bits & 0xff)) &* 0x100_0000_01b3
            bits >>= 8
        }
    }
}
