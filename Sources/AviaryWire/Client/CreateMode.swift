/// The `flags` of a create request (`CreateMode`).
public enum CreateMode: Int32, Sendable, Hashable, CaseIterable {
    case persistent = 0
    case ephemeral = 1
    case persistentSequential = 2
    case ephemeralSequential = 3
    case container = 4
    case persistentWithTTL = 5
    case persistentSequentialWithTTL = 6

    public var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
    public var isSequential: Bool {
        self == .persistentSequential || self == .ephemeralSequential || self == .persistentSequentialWithTTL
    }
    public var isContainer: Bool { self == .container }
    public var isTTL: Bool { self == .persistentWithTTL || self == .persistentSequentialWithTTL }
}

/// The special values of `Stat.ephemeralOwner` (`EphemeralType`).
public enum EphemeralOwner {
    public static let persistent: Int64 = 0
    /// Marks a container node.
    public static let container: Int64 = Int64(bitPattern: 0x8000_0000_0000_0000)
    /// High byte marking a TTL node; the low 40 bits hold the TTL in milliseconds.
    public static let ttlMask: Int64 = Int64(bitPattern: 0xFF00_0000_0000_0000)
    public static let ttlMaximumMillis: Int64 = 0x0000_00FF_FFFF_FFFF

    public static func ttl(millis: Int64) -> Int64 { ttlMask | millis }

    public static func isTTL(_ owner: Int64) -> Bool { owner & ttlMask == ttlMask }
    public static func ttlMillis(_ owner: Int64) -> Int64 { owner & ttlMaximumMillis }
    public static func isContainer(_ owner: Int64) -> Bool { owner == container }
    /// An ephemeral owner is a real session id: anything that is neither 0 nor a special marker.
    public static func isSession(_ owner: Int64) -> Bool {
        owner != 0 && !isContainer(owner) && !isTTL(owner)
    }
}
