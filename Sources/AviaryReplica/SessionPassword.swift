/// Session passwords as ZooKeeper derives them, so any server (Aviary or ZooKeeper) can check a reconnecting
/// client's password: `java.util.Random(sessionId ^ 0xB3415C00).nextBytes(16)`.
///
/// This scheme lets anyone who knows a session id compute its password; it is kept for compatibility.
public enum SessionPassword {
    static let superSecret: Int64 = 0xB341_5C00

    public static func derive(sessionId: Int64) -> [UInt8] {
        var random = JavaRandom(seed: sessionId ^ superSecret)
        return random.nextBytes(16)
    }
}

/// The 48-bit linear congruential generator of `java.util.Random`.
struct JavaRandom {
    private static let multiplier: Int64 = 0x5_DEEC_E66D
    private static let mask: Int64 = (1 << 48) - 1
    private var seed: Int64

    init(seed: Int64) {
        self.seed = (seed ^ Self.multiplier) & Self.mask
    }

    mutating func next(bits: Int) -> Int32 {
        seed = (seed &* Self.multiplier &+ 0xB) & Self.mask
        return Int32(truncatingIfNeeded: seed >> (48 - bits))
    }

    mutating func nextBytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var random = next(bits: 32)
            for _ in 0..<min(4, count - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: random))
                random >>= 8
            }
        }
        return bytes
    }
}
