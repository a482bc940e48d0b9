/// A znode path as a hash key that compares by its UTF-8 bytes.
///
/// Swift's `String ==` and `String.hash` treat canonically equivalent text as one ("é" precomposed, and "e"
/// followed by U+0301). ZooKeeper compares Java strings code unit by code unit, so those are two znodes, and
/// sets and tables keyed by path must keep them apart too: the pending changes of writes in flight, watches,
/// a session's ephemerals, containers and TTL nodes.
public struct PathKey: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public init(stringLiteral path: String) {
        self.path = path
    }

    public static func == (lhs: PathKey, rhs: PathKey) -> Bool {
        ChildIndex.sameName(lhs.path, rhs.path)
    }

    public func hash(into hasher: inout Hasher) {
        let hashed: Void? = path.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            Array(path.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    public var description: String { path }
}
