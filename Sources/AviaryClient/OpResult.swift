import AviaryWire

/// The result of one operation of a `multi`.
public enum OpResult: Sendable, Hashable {
    /// The created node's actual path (sequential suffix included); the stat when the server sent one
    /// (container and TTL creates).
    case created(path: String, stat: Stat?)
    case deleted
    case dataSet(Stat)
    case checked
    /// In a failed multi, this operation would have succeeded but was rolled back with the rest.
    case rolledBack
    /// In a failed multi, this operation failed with `code`; the ones after it report `runtimeInconsistency`.
    case failed(KeeperError)
}
