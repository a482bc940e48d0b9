import AviaryWire

/// A set of strings that also knows the order in which a `java.util.HashSet<String>` holding the same history
/// would iterate them.
///
/// ZooKeeper keeps each session's ephemeral paths in such a set and deletes them, when the session closes, in its
/// iteration order; that order decides the order of the watch events clients see. Reproducing it keeps Aviary's
/// event streams identical to ZooKeeper's. The order is by hash bucket (Java's `String.hashCode`, spread as
/// `HashMap.hash` does, masked by the table capacity), then by insertion within a bucket; the capacity starts at
/// 16, doubles when the size passes three quarters of it, and never shrinks.
public struct JavaStringHashSet: Sendable {
    public private(set) var capacity: Int
    private var nextSequence = 0
    /// Keyed by bytes, as Java's `String.equals` compares (see `PathKey`).
    private var sequenceByElement: [PathKey: Int] = [:]

    public init(capacity: Int = 16) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0)
        self.capacity = capacity
    }

    public var count: Int { sequenceByElement.count }
    public var isEmpty: Bool { sequenceByElement.isEmpty }
    public func contains(_ element: String) -> Bool { sequenceByElement[PathKey(element)] != nil }

    public mutating func insert(_ element: String) {
        let key = PathKey(element)
        guard sequenceByElement[key] == nil else { return }
        sequenceByElement[key] = nextSequence
        nextSequence += 1
        if sequenceByElement.count > capacity * 3 / 4 { capacity *= 2 }
    }

    public mutating func remove(_ element: String) {
        sequenceByElement[PathKey(element)] = nil
    }

    /// The elements in Java's iteration order.
    public var elementsInJavaOrder: [String] {
        let mask = capacity - 1
        return sequenceByElement
            .map { (bucket: Self.spreadHash($0.key.path) & mask, sequence: $0.value, element: $0.key.path) }
            .sorted { ($0.bucket, $0.sequence) < ($1.bucket, $1.sequence) }
            .map(\.element)
    }

    /// What `HashSet.clone()` yields: a table sized for the current count, filled in iteration order.
    public func javaClone() -> JavaStringHashSet {
        var clone = JavaStringHashSet(capacity: count == 0 ? 16 : Self.tableSize(for: Int(Float(count) / 0.75 + 1)))
        for element in elementsInJavaOrder {
            clone.insert(element)
        }
        return clone
    }

    static func tableSize(for minimum: Int) -> Int {
        var size = 1
        while size < minimum { size <<= 1 }
        return size
    }

    /// `HashMap.hash(key)` of `String.hashCode()`, as a non-negative bucket source.
    static func spreadHash(_ string: String) -> Int {
        var hash: Int32 = 0
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        let bits = UInt32(bitPattern: hash)
        return Int(bits ^ (bits >> 16))
    }
}
