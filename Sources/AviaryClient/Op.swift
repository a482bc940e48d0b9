import AviaryWire

/// One operation of an atomic `multi`.
public enum Op: Sendable, Hashable {
    /// `ttl` is required for (and only allowed with) the TTL modes.
    case create(path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent, ttl: Duration? = nil)
    case delete(path: String, version: Int32 = -1)
    case setData(path: String, data: [UInt8], version: Int32 = -1)
    /// Fails the whole multi unless the node has this version.
    case check(path: String, version: Int32)

    public var path: String {
        switch self {
        case .create(let path, _, _, _, _), .delete(let path, _), .setData(let path, _, _), .check(let path, _): path
        }
    }
}
