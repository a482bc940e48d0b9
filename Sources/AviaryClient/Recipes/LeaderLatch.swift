import AviaryWire

/// Leader election by latch (Curator's `LeaderLatch`, kazoo's `Election`): every participant joins with an
/// ephemeral-sequential node under `path`; the lowest is the leader until it closes the latch or its session
/// ends, and then the next in line takes over.
///
/// ```swift
/// let latch = LeaderLatch(client: zk, path: "/election/indexer", participantID: "host-a")
/// try await latch.becomeLeader()      // returns once this participant leads
/// // ... lead ...
/// try await latch.close()             // hand over to the next participant
/// ```
public actor LeaderLatch {
    public nonisolated let path: String
    public nonisolated let participantID: String
    private let client: ZooKeeperClient
    private let contender: SequentialContender
    private var node: String?
    private var leading = false

    public init(client: ZooKeeperClient, path: String, participantID: String = "") {
        self.client = client
        self.path = path
        self.participantID = participantID
        self.contender = SequentialContender(client: client, directory: path, prefix: "latch-")
    }

    /// Joins the election (if not yet joined) and waits until this participant leads.
    ///
    /// - Throws: `operationTimeout` after `timeout` (still a participant then: call again to keep waiting,
    ///   or `close()`); `noNode` if this participant's node vanished (its session expired);
    ///   `CancellationError` if the task is cancelled.
    public func becomeLeader(timeout: Duration? = nil) async throws {
        if leading { return }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let name: String
        if let node {
            name = node
        } else {
            name = try await contender.enter(data: Array(participantID.utf8))
            node = name
        }
        do {
            try await contender.waitUntilFirst(name, deadline: deadline)
        } catch let error as ZooKeeperError where error.code == .noNode {
            node = nil
            throw error
        }
        leading = true
    }

    /// Whether this participant leads and its session is connected: while disconnected another participant
    /// may already have taken over, so leadership is not claimed then (Curator does the same).
    public var isLeader: Bool {
        get async {
            guard leading else { return false }
            return await client.state == .connected
        }
    }

    /// The participant IDs in line, the leader first.
    public func participants() async throws(ZooKeeperError) -> [String] {
        var result: [String] = []
        for name in contender.sorted(try await client.getChildren(path)) {
            let node = "\(path)/\(name)"
            switch await outcome({ () async throws(ZooKeeperError) in try await client.getData(node) }) {
            case .success(let read): result.append(String(decoding: read.data, as: UTF8.self))
            case .failure(let error) where error.code == .noNode: continue
            case .failure(let error): throw error
            }
        }
        return result
    }

    /// Leaves the election; if this participant led, the next one takes over.
    public func close() async throws(ZooKeeperError) {
        leading = false
        guard let name = node else { return }
        node = nil
        try await contender.leave(name)
    }
}
