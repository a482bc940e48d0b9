import AviaryWire
import DequeModule

/// The state a prepared but not yet applied transaction will leave a node in (ZooKeeper's ChangeRecord).
public struct PendingChange: Sendable {
    public var zxid: Int64
    public var path: String
    /// nil when the transaction deletes the node.
    public var stat: StatPersisted?
    public var childCount: Int
    public var acl: [ACL]
}

/// Changes of transactions that are prepared but not yet applied, so the next request is validated against
/// the tree as it will be, not as it is (ZooKeeper's outstandingChanges).
public struct PendingChanges: Sendable {
    private var byPath: [PathKey: PendingChange] = [:]
    private var inOrder: Deque<PendingChange> = []

    public init() {}

    public var isEmpty: Bool { inOrder.isEmpty }
    public var count: Int { inOrder.count }

    func latest(for path: String) -> PendingChange? { byPath[PathKey(path)] }

    mutating func add(_ change: PendingChange) {
        inOrder.append(change)
        byPath[PathKey(change.path)] = change
    }

    /// All pending changes, oldest first.
    var all: Deque<PendingChange> { inOrder }

    /// Forgets the changes of transactions up to `zxid`, which the tree now reflects.
    public mutating func applied(through zxid: Int64) {
        while let first = inOrder.first, first.zxid <= zxid {
            inOrder.removeFirst()
            let key = PathKey(first.path)
            if let current = byPath[key], current.zxid == first.zxid {
                byPath[key] = nil
            }
        }
    }

    /// Everything pending for the given paths, to restore if a multi fails halfway.
    func save(paths: Set<PathKey>) -> [PathKey: PendingChange] {
        var saved: [PathKey: PendingChange] = [:]
        for path in paths {
            if let change = byPath[path] { saved[path] = change }
        }
        return saved
    }

    /// Drops the changes of the failed multi `zxid` and restores the saved ones.
    mutating func rollBack(zxid: Int64, to saved: [PathKey: PendingChange]) {
        while let last = inOrder.last, last.zxid == zxid {
            inOrder.removeLast()
            byPath[PathKey(last.path)] = nil
        }
        for (path, change) in saved {
            byPath[path] = change
        }
    }
}
