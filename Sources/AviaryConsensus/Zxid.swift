/// ZooKeeper's transaction id: the leader's epoch in the high 32 bits, a counter within the epoch in the low 32.
public enum Zxid {
    /// The last counter value a leader may use; proposing past it forces a new epoch (ZooKeeper's
    /// XidRolloverException).
    public static let maxCounter: Int64 = 0xffff_ffff

    public static func make(epoch: Int64, counter: Int64) -> Int64 {
        (epoch << 32) | (counter & maxCounter)
    }

    public static func epoch(of zxid: Int64) -> Int64 { zxid >> 32 }

    public static func counter(of zxid: Int64) -> Int64 { zxid & maxCounter }

    /// Lowercase hex as ZooKeeper logs zxids, for messages.
    public static func hex(_ zxid: Int64) -> String {
        "0x" + String(UInt64(bitPattern: zxid), radix: 16)
    }
}
