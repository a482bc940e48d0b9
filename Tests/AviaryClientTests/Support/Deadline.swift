import AviaryClient
import Testing

struct TestTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "test step did not finish within \(seconds) s" }
}

/// Runs `body`, failing with `TestTimeout` if it takes longer than `seconds`: every test bounds its time.
func withDeadline<Value: Sendable>(
    _ seconds: Double = 30, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw TestTimeout(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A fresh path per test, so tests can share one server and run in parallel.
func uniquePath(_ name: String) -> String {
    "/\(name)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(
    _ seconds: Double = 10, _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

extension ZooKeeperClient {
    /// Connects to the suite's server (optionally through other addresses), with a short session timeout.
    static func connectForTest(
        _ connectString: String, sessionTimeout: Duration = .seconds(3)
    ) async throws -> ZooKeeperClient {
        var configuration = Configuration()
        configuration.shuffleServers = false
        configuration.connectTimeout = .seconds(10)
        return try await ZooKeeperClient.connect(
            to: connectString, sessionTimeout: sessionTimeout, configuration: configuration)
    }
}

/// Runs `body` with a fresh client of the suite's server (or of `connectString`), closing it afterwards,
/// all within `seconds`.
@discardableResult
func withClient<Value: Sendable>(
    _ connectString: String? = nil, sessionTimeout: Duration = .seconds(3), seconds: Double = 30,
    _ body: @escaping @Sendable (ZooKeeperClient) async throws -> Value
) async throws -> Value {
    guard let server = AviaryServerProcess.current else {
        throw ServerStartError(detail: "no server: the suite needs the .aviaryServer trait")
    }
    let target = connectString ?? server.connectString
    return try await withDeadline(seconds) {
        let client = try await ZooKeeperClient.connectForTest(target, sessionTimeout: sessionTimeout)
        do {
            let value = try await body(client)
            await client.close()
            return value
        } catch {
            await client.close()
            throw error
        }
    }
}

/// The suite's server.
var suiteServer: AviaryServerProcess {
    get throws {
        guard let server = AviaryServerProcess.current else {
            throw ServerStartError(detail: "no server: the suite needs the .aviaryServer trait")
        }
        return server
    }
}

/// Expects `body` to throw a `ZooKeeperError` with `code`; returns the error for further checks.
@discardableResult
func expectError<Value>(
    _ code: KeeperError, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Value
) async -> ZooKeeperError? {
    do {
        _ = try await body()
        Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
    } catch let error as ZooKeeperError {
        #expect(error.code == code, sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
