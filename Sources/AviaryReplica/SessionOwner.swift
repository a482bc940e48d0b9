/// Where the leader last saw a session connected: one of its own client connections, or a learner that
/// forwards for it (ZooKeeper's session owner). A request that comes through anywhere else was sent before the
/// client moved on; ordering it now could put it after the session's newer requests, so it is refused with
/// SESSIONMOVED, as ZooKeeper refuses it. A new leader starts with no owners: the first request claims one.
enum SessionOwner: Sendable, Hashable {
    case connection(ConnectionID)
    case learner(Int64)
}

extension Replica {
    /// Whether a request through `owner` may be ordered for this session; claims the session if unowned.
    mutating func isOwned(_ sessionId: Int64, by owner: SessionOwner) -> Bool {
        guard let current = sessionOwners[sessionId] else {
            sessionOwners[sessionId] = owner
            return true
        }
        return current == owner
    }
}
