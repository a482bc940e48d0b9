/// Visits a subtree of a `NodeStore`, parents before children, rebuilding each node's path as it goes: the store
/// keeps no paths, and building one String per node would allocate for every path longer than 15 bytes.
///
/// One level per ancestor, not one stack entry per pending node, so walking a node with a million children holds
/// no million-entry stack. An explicit stack, not recursion: a path may be ~1 MB deep in components. Siblings come
/// in the store's order, following the child links with no allocation: the same tree value always walks the same
/// way, so a snapshot of it is the same bytes, and sorting a node's million children by name is never paid.
struct PreOrderWalk {
    private struct Level {
        /// Length of the level's parent path in `path`, to cut back to before appending a child's name.
        var parentPathLength: Int
        /// The next child, following `nextSibling`.
        var cursor: NodeID
    }

    private let store: NodeStore
    private var start: NodeID?
    private var levels: [Level] = []
    /// The UTF-8 path of the node `next()` returned last: "/" for the root.
    private(set) var path: [UInt8]

    init(_ store: NodeStore, from start: NodeID = NodeStore.root, path startPath: String = "/") {
        self.store = store
        self.start = start
        path = Array(startPath.utf8)
    }

    mutating func next() -> NodeID? {
        if let node = start {
            start = nil
            descend(into: node)
            return node
        }
        while !levels.isEmpty {
            guard let child = nextChild() else {
                levels.removeLast()
                continue
            }
            path.removeLast(path.count - levels[levels.count - 1].parentPathLength)
            path.append(UInt8(ascii: "/"))
            path.append(contentsOf: store[child].name.utf8)
            descend(into: child)
            return child
        }
        return nil
    }

    private mutating func nextChild() -> NodeID? {
        let top = levels.count - 1
        let child = levels[top].cursor
        guard child != .none else { return nil }
        levels[top].cursor = store[child].nextSibling
        return child
    }

    private mutating func descend(into node: NodeID) {
        guard store[node].childCount > 0 else { return }
        // The root's children are "/name", not "//name".
        let parentPathLength = node == NodeStore.root ? 0 : path.count
        levels.append(Level(parentPathLength: parentPathLength, cursor: store[node].firstChild))
    }
}
