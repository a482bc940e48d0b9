/// A znode path as a hash key that compares by its UTF-8 bytes.
///
/// Swift's `String ==` and `String.hash` treat canonically equivalent text as one ("é" precomposed, and "e"
/// followed by U+0301). ZooKeeper compares Java strings code unit by code unit, so those are two znodes, and
/// every table keyed by path keeps them apart too: on the server the pending changes of writes in flight,
/// watches, a session's ephemerals, containers and TTL nodes; in the client its watch registrations.
public struct PathKey: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public init(stringLiteral path: String) {
        self.path = path
    }

    public static func == (lhs: PathKey, rhs: PathKey) -> Bool {
        StringBytes.equal(lhs.path, rhs.path)
    }

    public func hash(into hasher: inout Hasher) {
        StringBytes.hash(path, into: &hasher)
    }

    public var description: String { path }
}

/// Equality and hashing of strings by their UTF-8 bytes (see `PathKey` for why not String's own).
public enum StringBytes {
    @inlinable
    public static func equal(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        // Compared in place: iterating the UTF-8 views cost a tenth of a create.
        let inPlace: Bool?? = a.utf8.withContiguousStorageIfAvailable { first in
            b.utf8.withContiguousStorageIfAvailable { second in
                first.count == second.count && first.elementsEqual(second)
            }
        }
        if let inPlace = inPlace ?? nil { return inPlace }
        return a.utf8.elementsEqual(b.utf8)
    }

    @inlinable
    public static func hash(_ string: some StringProtocol, into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
