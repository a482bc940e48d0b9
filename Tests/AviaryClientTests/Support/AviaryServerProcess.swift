import AviaryClient
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A standalone `aviary-server` process on loopback with its own temporary config and data directory.
///
/// The binary is found next to the test bundle (a `swift build --build-tests` of the whole package puts it
/// there), or at `AVIARY_SERVER_BIN`.
final class AviaryServerProcess: @unchecked Sendable {
    // Process is used from one task at a time (start, then stop); @unchecked because Foundation's Process is
    // not marked Sendable on every platform.
    let port: Int
    let directory: URL
    private let process: Process

    @TaskLocal static var current: AviaryServerProcess?

    var connectString: String { "127.0.0.1:\(port)" }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// tickTime 200 ms: sessions may time out between 400 ms and 4 s, so expiry tests stay short.
    static let tickTimeMillis = 200

    static func start(extraConfig: [String: String] = [:]) async throws -> AviaryServerProcess {
        let binary = try locateBinary()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aviary-client-test-\(UInt64.random(in: 0...UInt64.max))")
        let dataDirectory = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let port = try await freePort()
        var settings: [(String, String)] = [
            ("tickTime", "\(tickTimeMillis)"),
            ("dataDir", dataDirectory.path),
            ("clientPort", "\(port)"),
            ("clientPortAddress", "127.0.0.1"),
            ("4lw.commands.whitelist", "*"),
            ("extendedTypesEnabled", "true"),
            ("znode.container.checkIntervalMs", "300"),
        ]
        for (key, value) in extraConfig.sorted(by: { $0.key < $1.key }) {
            settings.removeAll { $0.0 == key }
            settings.append((key, value))
        }
        let config = directory.appendingPathComponent("zoo.cfg")
        try settings.map { "\($0.0)=\($0.1)\n" }.joined().write(to: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", config.path]
        process.currentDirectoryURL = directory
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = AviaryServerProcess(port: port, directory: directory, process: process)
        do {
            try await server.waitUntilServing()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Terminates the server and waits for it (killing it if it lingers), then removes its directory.
    func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    var logTail: String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        return String(text.suffix(4000))
    }

    private func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw ServerStartError(detail: "aviary-server exited with \(process.terminationStatus):\n\(logTail)")
            }
            if let reply = try? await FourLetterWord.send("ruok", port: port), reply.hasPrefix("imok") {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerStartError(detail: "aviary-server on port \(port) not ready:\n\(logTail)")
    }

    static func locateBinary() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AVIARY_SERVER_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var starts = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        for start in starts {
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("aviary-server")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw ServerStartError(detail: "aviary-server not found next to the tests; build with --build-tests or set AVIARY_SERVER_BIN")
    }

    /// A port that was free a moment ago (bound to port 0, then released).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}

struct ServerStartError: Error, CustomStringConvertible {
    var detail: String
    var description: String { detail }
}

/// Runs a whole suite against one fresh server: started before the suite's first test, stopped after its last.
struct AviaryServerTrait: SuiteTrait, TestScoping {
    var extraConfig: [String: String] = [:]

    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await AviaryServerProcess.start(extraConfig: extraConfig)
        do {
            try await AviaryServerProcess.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == AviaryServerTrait {
    /// Starts an `aviary-server` for the suite (see `AviaryServerTrait`).
    static var aviaryServer: Self { AviaryServerTrait() }
}
