import AviaryClient

/// One request stream: issues one operation at a time on its session, as fast as replies come back, and
/// records each one's latency. A session runs `inFlight` slots at once, which is how requests are kept in
/// flight (ZooKeeper pipelines a session's requests and answers them in order).
struct BenchSlot: Sendable {
    /// When measuring begins and ends, on the continuous clock.
    struct Window: Sendable {
        var measureStart: ContinuousClock.Instant
        /// nil: run until `operationBudget` operations were measured.
        var measureEnd: ContinuousClock.Instant?
    }

    let client: ZooKeeperClient
    let configuration: BenchConfiguration
    let payload: [UInt8]
    /// Unique among the slots of a run: names the nodes this slot creates.
    let slotIndex: Int
    let createRoot: String
    let operationBudget: Int?

    func run(window: Window) async -> SlotStatistics {
        var statistics = SlotStatistics()
        var random = SplitMix64(seed: configuration.seed &+ UInt64(slotIndex) &* 0x9E37_79B9)
        var created: [String] = []
        var createdCount = 0
        var measured = 0
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let start = clock.now
            if let end = window.measureEnd, start >= end { break }
            if let operationBudget, measured >= operationBudget { break }
            var operation = configuration.mix.operation(
                forDraw: Int(random.next(upperBound: UInt64(configuration.mix.totalWeight))))
            if operation == .delete && created.isEmpty { operation = .create }
            let key = Int(random.next(upperBound: UInt64(configuration.keys)))
            let outcome = await perform(operation, key: key, created: &created, createdCount: &createdCount)
            let finish = clock.now
            guard start >= window.measureStart else { continue }  // warming up
            switch outcome {
            case .success:
                statistics.record(operation, nanos: Self.nanos(finish - start))
                measured += 1
            case .failure(let error):
                statistics.errors[error.code.name, default: 0] += 1
                if error.code == .sessionExpired { return statistics }
            }
            statistics.lastEndNanos = Self.nanos(finish - window.measureStart)
        }
        statistics.leftoverNodes = created
        return statistics
    }

    private func perform(
        _ operation: BenchOperation, key: Int, created: inout [String], createdCount: inout Int
    ) async -> Result<Void, ZooKeeperError> {
        let path = configuration.keyPath(key)
        do throws(ZooKeeperError) {
            switch operation {
            case .get:
                _ = try await client.getData(path)
            case .set:
                try await client.setData(path, data: payload)
            case .exists:
                _ = try await client.exists(path)
            case .create:
                let node = "\(createRoot)/s\(slotIndex)-\(createdCount)"
                createdCount += 1
                try await client.create(node, data: payload)
                created.append(node)
            case .delete:
                try await client.delete(created.removeLast())
            case .multi:
                let other = configuration.keyPath((key + 1) % configuration.keys)
                try await client.multi([.check(path: path, version: -1), .setData(path: other, data: payload)])
            case .watch:
                let watched = try await client.watchData(path)
                try await client.setData(path, data: payload)
                do {
                    _ = try await watched.watch.event(timeout: .seconds(30))
                } catch let error as ZooKeeperError {
                    throw error
                } catch {
                    throw ZooKeeperError(.operationTimeout, path: path)
                }
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    static func nanos(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }
}
