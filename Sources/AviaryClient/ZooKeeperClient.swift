@_exported import AviaryWire
import NIOCore

/// A ZooKeeper client with an async/await API; it speaks the client protocol of ZooKeeper 3.5–3.9 (and
/// Aviary), including TTL and container nodes, persistent watches, `whoAmI` and `getEphemerals`.
///
/// ```swift
/// import AviaryClient
///
/// let zk = try await ZooKeeperClient.connect(to: "zk1:2181,zk2:2181,zk3:2181/myapp", sessionTimeout: .seconds(10))
///
/// try await zk.ensurePath("/config")
/// try await zk.setData("/config", data: Array("v2".utf8))
///
/// // Ephemeral nodes live as long as the session; sequential ones get a unique suffix.
/// try await zk.ensurePath("/workers")
/// let me = try await zk.create("/workers/w-", data: Array("host-a".utf8), mode: .ephemeralSequential)
///
/// // A one-shot watch: read now, learn about the next change later.
/// let config = try await zk.watchData("/config")
/// print(String(decoding: config.value.data, as: UTF8.self))
/// let change = try await config.watch.event()          // e.g. nodeDataChanged /config
///
/// // A persistent recursive watch, as an AsyncSequence of events below /workers.
/// let changes = try await zk.addWatch("/workers", mode: .persistentRecursive)
/// for try await event in changes where event.type == .nodeCreated {
///     print("worker joined:", event.path)
///     break
/// }
///
/// // Atomic multi-operation: all or nothing.
/// try await zk.multi([.check(path: "/config", version: 1), .delete(path: me)])
///
/// // Recipes: locks, leader election, group membership.
/// try await DistributedLock(client: zk, path: "/locks/reindex").withLock {
///     // only one process at a time runs this
/// }
/// await zk.close()
/// ```
///
/// The connection string lists servers and an optional chroot; the client connects to one server, fails over
/// to the others, and re-attaches its session (ephemeral nodes and watches included) if the connection drops.
/// Its session's life is visible through `sessionStates()`. Every error thrown is a `ZooKeeperError`.
///
/// Replies come back in the order requests were made, and a watch's event comes before any reply that
/// reflects the change (ZooKeeper's ordering guarantee), whatever tasks make the calls.
public final class ZooKeeperClient: Sendable {
    let eventLoop: any EventLoop
    let driver: NIOLoopBound<SessionDriver>
    let chroot: Chroot
    let watchEventBufferMax: Int

    /// Runs tasks on the thread that serves this session. A task that mostly waits for this client's replies
    /// (`group.addTask(executorPreference: client.taskExecutor) { … }`) then resumes without a thread switch per
    /// reply; it must not block, or it stalls every session of that thread.
    public let taskExecutor: any TaskExecutor
    /// The session's id, as nodes' `ephemeralOwner` shows it.
    public let sessionID: Int64
    /// The parsed connection string this client was made with.
    public let connectionString: ConnectionString

    private init(
        eventLoop: any EventLoop, driver: NIOLoopBound<SessionDriver>, connectionString: ConnectionString,
        sessionID: Int64, watchEventBufferMax: Int
    ) {
        self.eventLoop = eventLoop
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.driver = driver
        self.chroot = Chroot(connectionString.chroot)
        self.connectionString = connectionString
        self.sessionID = sessionID
        self.watchEventBufferMax = watchEventBufferMax
    }

    deinit {
        // A client dropped without close() still ends its session politely rather than leaving it to expire.
        let driver = self.driver
        eventLoop.execute { driver.value.close(promise: nil) }
    }

    /// Opens a session and returns once a server has granted it.
    ///
    /// - Parameters:
    ///   - connectionString: `host:port,host:port/chroot` (see `ConnectionString`).
    ///   - sessionTimeout: the requested timeout; the server clamps it to its min/max (by default 2 and 20
    ///     ticks). Pings go out every third of it; a silent server is given up after two thirds.
    /// - Throws: `badArguments` for a malformed connection string; `connectionLoss` when no server granted
    ///   a session within `configuration.connectTimeout`.
    public static func connect(
        to connectionString: String, sessionTimeout: Duration = .seconds(10),
        configuration: Configuration = Configuration()
    ) async throws(ZooKeeperError) -> ZooKeeperClient {
        let parsed = try ConnectionString(parsing: connectionString)
        let timeout = TimeAmount(duration: sessionTimeout)
        let timeoutMillis = timeout.nanoseconds / 1_000_000
        guard timeoutMillis > 0, timeoutMillis <= Int64(Int32.max) else {
            throw ZooKeeperError(.badArguments, detail: "session timeout \(sessionTimeout) out of range")
        }
        let servers = configuration.shuffleServers ? parsed.servers.shuffled() : parsed.servers
        let loop = configuration.eventLoopGroup.next()
        let connected = loop.makePromise(of: Void.self)
        let waitTimeout = configuration.connectTimeout.map(TimeAmount.init(duration:)) ?? timeout
        let chroot = Chroot(parsed.chroot)
        let driver: NIOLoopBound<SessionDriver>
        let sessionID: Int64
        do {
            driver = try await loop.submit {
                let driver = SessionDriver(
                    servers: servers, chroot: chroot, sessionTimeoutMillis: Int32(timeoutMillis),
                    configuration: configuration, eventLoop: loop)
                driver.start()
                driver.waitUntilConnected(promise: connected, timeout: waitTimeout)
                return NIOLoopBound(driver, eventLoop: loop)
            }.get()
        } catch {
            throw ZooKeeperError(.systemError, detail: "cannot start the client: \(error)")
        }
        do {
            try await connected.futureResult.get()
            sessionID = try await loop.submit { driver.value.sessionId }.get()
        } catch {
            loop.execute { driver.value.close(promise: nil) }
            throw error as? ZooKeeperError ?? ZooKeeperError(.connectionLoss, detail: "\(error)")
        }
        return ZooKeeperClient(
            eventLoop: loop, driver: driver, connectionString: parsed, sessionID: sessionID,
            watchEventBufferMax: configuration.watchEventBufferMax)
    }

    /// Ends the session: the server deletes its ephemeral nodes and watches at once. Requests already made
    /// are answered first; later ones fail with `sessionExpired`. Returns when the server confirmed, or after
    /// two thirds of the session timeout if it does not answer.
    public func close() async {
        let promise = eventLoop.makePromise(of: Void.self)
        let driver = self.driver
        eventLoop.execute { driver.value.close(promise: promise) }
        try? await promise.futureResult.get()
    }

    /// The session's states from now on: first the current one, then each change. The sequence finishes
    /// after a terminal state (`expired`, `closed`, `authFailed`). If a consumer falls far behind, older
    /// states are dropped, never the latest.
    public func sessionStates() -> AsyncStream<SessionState> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SessionState.self, bufferingPolicy: .bufferingNewest(64))
        let driver = self.driver
        eventLoop.execute { driver.value.addStateListener(continuation) }
        return stream
    }

    /// The session's current state.
    public var state: SessionState {
        get async {
            let driver = self.driver
            return (try? await eventLoop.submit { driver.value.state }.get()) ?? .closed
        }
    }

    /// The timeout the server granted (0 before the first connection).
    public var negotiatedSessionTimeout: Duration {
        get async {
            let driver = self.driver
            let millis = (try? await eventLoop.submit { driver.value.negotiatedTimeoutMillis }.get()) ?? 0
            return .milliseconds(millis)
        }
    }

    /// Returns once the session is connected (at once if it is).
    ///
    /// - Throws: `connectionLoss` when `timeout` passes first; `sessionExpired`/`authFailed` when the session
    ///   ends first.
    public func waitUntilConnected(timeout: Duration? = nil) async throws(ZooKeeperError) {
        let promise = eventLoop.makePromise(of: Void.self)
        let driver = self.driver
        let wait = timeout.map(TimeAmount.init(duration:))
        eventLoop.execute { driver.value.waitUntilConnected(promise: promise, timeout: wait) }
        do {
            try await promise.futureResult.get()
        } catch {
            throw error as? ZooKeeperError ?? ZooKeeperError(.systemError, detail: "\(error)")
        }
    }

    // MARK: Plumbing shared by the operations

    /// Sends one request and waits for its reply, translating failures to `ZooKeeperError`.
    func call(
        _ request: ClientRequest, path: String?,
        watch: (spec: SessionDriver.WatchSpec, serverPath: String, sink: WatchSink)? = nil
    ) async throws(ZooKeeperError) -> ResponseBody {
        let promise = eventLoop.makePromise(of: ResponseBody.self)
        let driver = self.driver
        if eventLoop.inEventLoop {
            driver.value.submit(request, promise: promise, watch: watch)
        } else {
            eventLoop.execute { driver.value.submit(request, promise: promise, watch: watch) }
        }
        return try await reply(promise.futureResult, path: path)
    }

    func reply(_ future: EventLoopFuture<ResponseBody>, path: String?) async throws(ZooKeeperError) -> ResponseBody {
        do {
            return try await future.get()
        } catch let failure as RequestFailure {
            var results: [OpResult] = []
            if case .multi(let multiResults) = failure.body { results = multiResults.map(operationResult) }
            throw ZooKeeperError(failure.code, path: path, results: results)
        } catch let error as ZooKeeperError {
            throw error
        } catch {
            throw ZooKeeperError(.systemError, path: path, detail: "\(error)")
        }
    }

    /// The server path of a caller's path, after a basic check (the server applies the full rules).
    func serverPath(_ path: String, sequential: Bool = false) throws(ZooKeeperError) -> String {
        guard Chroot.isValid(path, allowTrailingSlash: sequential) else {
            throw ZooKeeperError(.badArguments, path: path, detail: "invalid path")
        }
        return chroot.serverPath(path)
    }

    func operationResult(_ result: MultiResult) -> OpResult {
        switch result {
        case .create(let path): .created(path: chroot.clientPath(path), stat: nil)
        case .create2(let path, let stat): .created(path: chroot.clientPath(path), stat: stat)
        case .delete: .deleted
        case .setData(let stat): .dataSet(stat)
        case .check: .checked
        case .error(0): .rolledBack
        case .error(let code): .failed(KeeperError(rawValue: code) ?? .systemError)
        case .getData, .getChildren: .failed(.marshallingError)
        }
    }
}
