import AviaryWire

/// Group membership (Curator's `GroupMember`, kazoo's `Party`): each member of a group is an ephemeral node
/// `<root>/<group>/<member>`, so a member that dies leaves the group when its session ends.
///
/// ```swift
/// let groups = GroupMembership(client: zk)
/// try await groups.join(group: "indexers", member: "host-a")
/// for try await members in groups.members(of: "indexers") {
///     print("indexers now:", members)
/// }
/// ```
public struct GroupMembership: Sendable {
    public let client: ZooKeeperClient
    /// The parent of all groups' nodes.
    public let root: String

    public init(client: ZooKeeperClient, root: String = "/groups") {
        self.client = client
        self.root = root
    }

    public func groupPath(_ group: String) -> String {
        root == "/" ? "/\(group)" : "\(root)/\(group)"
    }

    /// Joins `group` as `member` (a name without "/"), with `data` for others to read. Joining again with
    /// the same session is a no-op, so a join retried after a lost connection is safe.
    ///
    /// - Returns: the member node's path.
    /// - Throws: `nodeExists` if another session holds that member name.
    @discardableResult
    public func join(group: String, member: String, data: [UInt8] = []) async throws(ZooKeeperError) -> String {
        guard !member.isEmpty, !member.contains("/"), !group.isEmpty, !group.contains("/") else {
            throw ZooKeeperError(.badArguments, detail: "group and member names must be non-empty, without '/'")
        }
        let path = "\(groupPath(group))/\(member)"
        for _ in 0..<Self.attemptsMax {
            let created = await outcome { () async throws(ZooKeeperError) in
                try await client.ensurePath(groupPath(group))
                return try await client.create(path, data: data, mode: .ephemeral)
            }
            switch created {
            case .success(let created):
                return created
            case .failure(let error) where error.code == .nodeExists:
                guard let stat = try await client.exists(path) else { continue }
                if stat.ephemeralOwner == client.sessionID { return path }
                throw error
            case .failure(let error) where error.isRetryable:
                try await client.waitUntilConnected()
            case .failure(let error) where error.code == .noNode:
                continue  // the group node vanished between ensurePath and create
            case .failure(let error):
                throw error
            }
        }
        throw ZooKeeperError(.connectionLoss, path: path, detail: "could not join")
    }

    /// Leaves `group`; not being a member is fine.
    public func leave(group: String, member: String) async throws(ZooKeeperError) {
        let path = "\(groupPath(group))/\(member)"
        let deleted = await outcome { () async throws(ZooKeeperError) in try await client.delete(path) }
        if case .failure(let error) = deleted, error.code != .noNode { throw error }
    }

    /// The current members of `group`, sorted by name.
    public func currentMembers(of group: String) async throws(ZooKeeperError) -> [String] {
        let path = groupPath(group)
        switch await outcome({ () async throws(ZooKeeperError) in try await client.getChildren(path) }) {
        case .success(let children): return children.sorted()
        case .failure(let error) where error.code == .noNode: return []
        case .failure(let error): throw error
        }
    }

    /// The member list of `group` now and after every change, sorted by name; see `GroupMembers`.
    public func members(of group: String) -> GroupMembers {
        GroupMembers(client: client, path: groupPath(group))
    }

    static let attemptsMax = 5
}

/// An `AsyncSequence` of a group's member list: the current list first, then a new list each time a member
/// joins, leaves or dies (consecutive equal lists are reported once). A group that does not exist yet reads
/// as empty until it is created.
///
/// It is driven by one-shot child watches, which survive reconnects; after a lost connection it re-reads
/// once connected. It throws when the session ends and stops when the consuming task is cancelled.
public struct GroupMembers: AsyncSequence, Sendable {
    public typealias Element = [String]

    let client: ZooKeeperClient
    let path: String

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, path: path)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let client: ZooKeeperClient
        let path: String
        private var last: [String]?
        private var pending: OneShotWatch?

        init(client: ZooKeeperClient, path: String) {
            self.client = client
            self.path = path
        }

        public mutating func next() async throws -> [String]? {
            while true {
                if let watch = pending {
                    pending = nil
                    _ = try await watch.event()
                }
                switch await outcome({ [client, path] () async throws(ZooKeeperError) in try await client.watchChildren(path) }) {
                case .success(let watched):
                    pending = watched.watch
                    let members = watched.value.sorted()
                    if members != last {
                        last = members
                        return members
                    }
                case .failure(let error) where error.code == .noNode:
                    // No group node: wait for it to appear.
                    let watched = try await client.watchExists(path)
                    if watched.value != nil { continue }
                    pending = watched.watch
                    if last != [] {
                        last = []
                        return []
                    }
                case .failure(let error) where error.isRetryable:
                    try await client.waitUntilConnected()
                case .failure(let error):
                    throw error
                }
            }
        }
    }
}
