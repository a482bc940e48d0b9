import AviaryWire

/// A mutual-exclusion lock across processes (Curator's `InterProcessMutex`, kazoo's `Lock`).
///
/// Each holder-to-be creates an ephemeral-sequential node under `path`; the lowest node holds the lock and
/// the others each watch their predecessor. Releasing deletes the node; so does the end of the holder's
/// session, so a crashed holder cannot keep the lock beyond its session timeout.
///
/// One instance is one contender: it is not re-entrant, and concurrent `acquire` calls on the same instance
/// are refused. Use one instance per task that competes, over one client or several.
///
/// If the holder's session expires while it holds the lock, the lock is gone; `isAcquired` turns false, but
/// code inside `withLock` is not interrupted (no lock service can do that).
public actor DistributedLock {
    public nonisolated let path: String
    private let contender: SequentialContender
    private let client: ZooKeeperClient
    private let data: [UInt8]
    private var node: String?
    private var acquiring = false

    /// - Parameters:
    ///   - path: the lock's directory; created if missing.
    ///   - data: stored in this contender's node (who holds the lock, for operators).
    public init(client: ZooKeeperClient, path: String, data: [UInt8] = []) {
        self.client = client
        self.path = path
        self.data = data
        self.contender = SequentialContender(client: client, directory: path, prefix: "lock-")
    }

    /// Whether this instance holds the lock and its session is connected.
    public var isAcquired: Bool {
        get async {
            guard node != nil else { return false }
            return await client.state == .connected
        }
    }

    /// Waits until the lock is held.
    ///
    /// - Throws: `ZooKeeperError(.operationTimeout)` after `timeout`; `CancellationError` if the task is
    ///   cancelled; `sessionExpired` if the session ends. In each case this contender's node is removed.
    public func acquire(timeout: Duration? = nil) async throws {
        guard node == nil, !acquiring else {
            throw ZooKeeperError(.badArguments, path: path, detail: "lock already held or being acquired by this instance")
        }
        acquiring = true
        defer { acquiring = false }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let name = try await contender.enter(data: data)
        do {
            try await contender.waitUntilFirst(name, deadline: deadline)
            node = name
        } catch {
            try? await contender.leave(name)
            throw error
        }
    }

    /// Releases the lock. Releasing a lock not held is a no-op.
    public func release() async throws(ZooKeeperError) {
        guard let name = node else { return }
        node = nil
        try await contender.leave(name)
    }

    /// Runs `body` holding the lock and releases it afterwards, whether `body` returns or throws.
    public nonisolated func withLock<Result: Sendable>(
        timeout: Duration? = nil, _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        try await acquire(timeout: timeout)
        let result: Result
        do {
            result = try await body()
        } catch {
            try? await release()
            throw error
        }
        try await release()
        return result
    }
}
