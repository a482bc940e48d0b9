import AviaryWire

/// Finds a node by (parent, child name): one open-addressing hash table for the whole tree.
///
/// A slot holds only a node id and the key's hash (8 bytes); the key itself lives in the node's record, which the
/// caller compares. That is what lets the store keep no path strings: a path is found one component at a time.
/// Linear probing, at most three quarters full, deletion by shifting later entries back (no tombstones), so a
/// table that sees many deletes does not degrade. The stored hash makes growing and shifting independent of the
/// records.
///
/// Names are keyed by their UTF-8 bytes, not by String equality: Swift's String compares canonically equivalent
/// text as equal ("é" precomposed, and "e" followed by U+0301), where ZooKeeper, comparing Java strings, keeps two
/// nodes. Hashes come from Swift's `Hasher` over those bytes; the seed differs per process, and nothing iterates
/// this table into an output.
struct ChildIndex: Sendable {
    private struct Slot: Sendable {
        var node: NodeID
        var hash: UInt32

        static let empty = Slot(node: .none, hash: 0)
    }

    private var slots = [Slot](repeating: .empty, count: 16)
    private(set) var count = 0

    init() {}

    static func hash(parent: NodeID, name: some StringProtocol) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(parent)
        StringBytes.hash(name, into: &hasher)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    private var mask: Int { slots.count - 1 }

    /// The first node with this hash that `matches`.
    func find(hash: UInt32, where matches: (NodeID) -> Bool) -> NodeID? {
        var position = Int(hash) & mask
        while true {
            let slot = slots[position]
            if slot.node == .none { return nil }
            if slot.hash == hash && matches(slot.node) { return slot.node }
            position = (position + 1) & mask
        }
    }

    /// Adds `node`; the caller has checked that its key is not present.
    mutating func insert(_ node: NodeID, hash: UInt32) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        place(Slot(node: node, hash: hash))
        count += 1
    }

    mutating func remove(_ node: NodeID, hash: UInt32) {
        var hole = Int(hash) & mask
        while slots[hole].node != node {
            precondition(slots[hole].node != .none, "removing a node that is not indexed")
            hole = (hole + 1) & mask
        }
        // Pull back every later entry of the run that may sit no earlier than its home slot.
        var position = hole
        while true {
            position = (position + 1) & mask
            let slot = slots[position]
            if slot.node == .none { break }
            let home = Int(slot.hash) & mask
            let homeIsBetween = hole <= position ? (hole < home && home <= position) : (hole < home || home <= position)
            if !homeIsBetween {
                slots[hole] = slot
                hole = position
            }
        }
        slots[hole] = .empty
        count -= 1
    }

    private mutating func place(_ slot: Slot) {
        var position = Int(slot.hash) & mask
        while slots[position].node != .none { position = (position + 1) & mask }
        slots[position] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: .empty, count: old.count * 2)
        for slot in old where slot.node != .none { place(slot) }
    }
}
