import AviaryWire

/// The shared core of the lock and leader-latch recipes (Curator's `LockInternals`, kazoo's `Lock`):
/// contenders create ephemeral-sequential nodes under one directory; the lowest sequence number wins; every
/// other contender watches only its predecessor, so a release wakes one waiter, not the whole herd.
///
/// Creation is *protected*, as Curator's is: the node's name carries a random token, so if the connection
/// drops before the create's reply, the contender finds its node again by the token instead of leaving an
/// orphan that would hold the lock until the session ends.
struct SequentialContender: Sendable {
    let client: ZooKeeperClient
    let directory: String
    let prefix: String

    init(client: ZooKeeperClient, directory: String, prefix: String) {
        self.client = client
        self.directory = directory
        self.prefix = prefix
    }

    /// Creates this contender's node and returns its name (not path).
    func enter(data: [UInt8]) async throws(ZooKeeperError) -> String {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let marker = "_c_\(token)-"
        try await client.ensurePath(directory)
        for _ in 0..<Self.attemptsMax {
            let created = await outcome { () async throws(ZooKeeperError) in
                try await client.create("\(directory)/\(marker)\(prefix)", data: data, mode: .ephemeralSequential)
            }
            switch created {
            case .success(let path):
                return Self.name(of: path)
            case .failure(let error) where error.isRetryable:
                try await client.waitUntilConnected()
                if let mine = try await client.getChildren(directory).first(where: { $0.hasPrefix(marker) }) {
                    return mine
                }
            case .failure(let error) where error.code == .noNode:
                // The directory vanished (deleted meanwhile): make it again.
                try await client.ensurePath(directory)
            case .failure(let error):
                throw error
            }
        }
        throw ZooKeeperError(.connectionLoss, path: directory, detail: "could not create a contender node")
    }

    /// Returns when `name` is the lowest contender. Throws `noNode` if `name` is gone (the session expired
    /// or someone deleted it), `operationTimeout` after `deadline`.
    func waitUntilFirst(_ name: String, deadline: ContinuousClock.Instant?) async throws {
        while true {
            let contenders: [String]
            switch await outcome({ () async throws(ZooKeeperError) in try await client.getChildren(directory) }) {
            case .success(let children):
                contenders = sorted(children)
            case .failure(let error) where error.isRetryable:
                try await client.waitUntilConnected(timeout: remaining(until: deadline))
                continue
            case .failure(let error):
                throw error
            }
            guard let index = contenders.firstIndex(of: name) else {
                throw ZooKeeperError(.noNode, path: "\(directory)/\(name)", detail: "contender node is gone")
            }
            if index == 0 { return }
            // getData rather than exists: a predecessor already gone leaves no watch behind.
            let predecessor = "\(directory)/\(contenders[index - 1])"
            switch await outcome({ () async throws(ZooKeeperError) in try await client.watchData(predecessor) }) {
            case .success(let predecessor):
                _ = try await predecessor.watch.event(timeout: remaining(until: deadline))
            case .failure(let error) where error.code == .noNode:
                continue
            case .failure(let error) where error.isRetryable:
                try await client.waitUntilConnected(timeout: remaining(until: deadline))
            case .failure(let error):
                throw error
            }
        }
    }

    /// Contender names in sequence order; other children of the directory are ignored.
    func sorted(_ children: [String]) -> [String] {
        children.compactMap { name in Self.sequence(of: name, prefix: prefix).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    /// Deletes this contender's node; already gone is fine.
    func leave(_ name: String) async throws(ZooKeeperError) {
        let deleted = await outcome { () async throws(ZooKeeperError) in try await client.delete("\(directory)/\(name)") }
        if case .failure(let error) = deleted, error.code != .noNode { throw error }
    }

    static let attemptsMax = 5

    /// The ten-digit suffix the server appended, if `name` is a contender of this prefix.
    static func sequence(of name: String, prefix: String) -> Int64? {
        guard name.count > 10, name.dropLast(10).hasSuffix(prefix) else { return nil }
        return Int64(name.suffix(10))
    }

    static func name(of path: String) -> String {
        String(path[path.index(after: path.lastIndex(of: "/")!)...])
    }

    private func remaining(until deadline: ContinuousClock.Instant?) throws(ZooKeeperError) -> Duration? {
        guard let deadline else { return nil }
        let left = deadline - ContinuousClock.now
        guard left > .zero else { throw ZooKeeperError(.operationTimeout, path: directory, detail: "deadline passed") }
        return left
    }
}
