import AviaryClient

/// Runs one workload against one server: opens the sessions, creates the key space, runs the warm-up and
/// the measured phase on every slot at once (a task group per run, `sessions × inFlight` child tasks), then
/// removes what `create` made and closes the sessions.
public struct BenchRunner: Sendable {
    public let configuration: BenchConfiguration

    public init(configuration: BenchConfiguration) {
        self.configuration = configuration
    }

    /// Runs the workload once and returns what was measured.
    public func run(round: Int = 0) async throws(BenchError) -> BenchResult {
        let clients = try await connect()
        do throws(BenchError) {
            try await prepareKeys(with: clients)
            let createRoot = "\(configuration.root)/created-\(configuration.seed)-\(round)"
            try await ensure(createRoot, with: clients[0])
            let statistics = await measure(clients: clients, createRoot: createRoot)
            if configuration.cleanup {
                await removeCreated(statistics.leftoverNodes, under: createRoot, with: clients)
            }
            for client in clients { await client.close() }
            return BenchResult(configuration: configuration, statistics: statistics)
        } catch {
            for client in clients { await client.close() }
            throw error
        }
    }

    private func connect() async throws(BenchError) -> [ZooKeeperClient] {
        var clientConfiguration = ZooKeeperClient.Configuration()
        if let tls = configuration.tls {
            do {
                try clientConfiguration.useTLS(tls)
            } catch {
                throw BenchError("cannot use the TLS files: \(error)")
            }
        }
        var clients: [ZooKeeperClient] = []
        for _ in 0..<configuration.sessions {
            do {
                clients.append(
                    try await ZooKeeperClient.connect(
                        to: configuration.server, sessionTimeout: .milliseconds(configuration.sessionTimeoutMillis),
                        configuration: clientConfiguration))
            } catch {
                for client in clients { await client.close() }
                throw BenchError("cannot connect to \(configuration.server): \(error)")
            }
        }
        return clients
    }

    /// Creates `keys` nodes holding a payload of the configured size, many at a time over every session;
    /// existing keys are reused (their data is overwritten only by `set`).
    private func prepareKeys(with clients: [ZooKeeperClient]) async throws(BenchError) {
        try await ensure(configuration.keyRoot, with: clients[0])
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: configuration.payloadBytes)
        let configuration = self.configuration
        let failures = await withTaskGroup(of: String?.self) { group in
            let workers = min(64, configuration.keys)
            for worker in 0..<workers {
                let client = clients[worker % clients.count]
                group.addTask {
                    for key in stride(from: worker, to: configuration.keys, by: workers) {
                        do throws(ZooKeeperError) {
                            try await client.create(configuration.keyPath(key), data: payload)
                        } catch where error.code == .nodeExists {
                            continue
                        } catch {
                            return "\(configuration.keyPath(key)): \(error)"
                        }
                    }
                    return nil
                }
            }
            return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
        if let failure = failures.first { throw BenchError("cannot create the key space: \(failure)") }
    }

    private func ensure(_ path: String, with client: ZooKeeperClient) async throws(BenchError) {
        do {
            try await client.ensurePath(path)
        } catch {
            throw BenchError("cannot create \(path): \(error)")
        }
    }

    private func measure(clients: [ZooKeeperClient], createRoot: String) async -> SlotStatistics {
        let configuration = self.configuration
        let payload = [UInt8](repeating: UInt8(ascii: "y"), count: configuration.payloadBytes)
        let slots = configuration.slotCount
        let budgets = configuration.operations.map { total in
            (0..<slots).map { total / slots + ($0 < total % slots ? 1 : 0) }
        }
        let now = ContinuousClock.now
        let measureStart = now.advanced(by: .milliseconds(Int64(configuration.warmupSeconds * 1000)))
        let measureEnd =
            configuration.operations == nil
            ? measureStart.advanced(by: .milliseconds(Int64(configuration.durationSeconds * 1000))) : nil
        let window = BenchSlot.Window(measureStart: measureStart, measureEnd: measureEnd)
        return await withTaskGroup(of: SlotStatistics.self) { group in
            for index in 0..<slots {
                let slot = BenchSlot(
                    client: clients[index % clients.count], configuration: configuration, payload: payload,
                    slotIndex: index, createRoot: createRoot, operationBudget: budgets?[index])
                // On the session's own thread: a reply resumes its slot there, with no hop to another thread.
                group.addTask(executorPreference: slot.client.taskExecutor) { await slot.run(window: window) }
            }
            var total = SlotStatistics()
            for await statistics in group { total.merge(statistics) }
            return total
        }
    }

    /// Deletes the nodes `create` made, pipelined over every session; failures only leave nodes behind.
    /// The slots' own lists name the nodes: a `getChildren` of hundreds of thousands of names is larger than a
    /// reply may be.
    private func removeCreated(_ children: [String], under createRoot: String, with clients: [ZooKeeperClient]) async {
        await withTaskGroup(of: Void.self) { group in
            let workers = min(64, max(1, children.count))
            for worker in 0..<workers {
                let client = clients[worker % clients.count]
                group.addTask {
                    for index in stride(from: worker, to: children.count, by: workers) {
                        try? await client.delete(children[index])
                    }
                }
            }
        }
        try? await clients[0].delete(createRoot)
    }
}
