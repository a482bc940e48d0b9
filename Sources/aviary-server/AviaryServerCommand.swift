import ArgumentParser
import AviaryServer
import Foundation
import Logging

@main
struct AviaryServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviary-server",
        abstract: "Aviary: a ZooKeeper-compatible coordination server.",
        version: AviaryVersion.current,
        subcommands: [Serve.self, Certificates.self, Logs.self, Snapshot.self, Verify.self, Decompress.self, Purge.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a server in the foreground on a zoo.cfg.")

    @Argument(help: "Path to a zoo.cfg in ZooKeeper's format.")
    var config: String

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "aviary")
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("aviary-server: invalid configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
        for warning in configuration.warnings {
            logger.warning("\(warning)")
        }
        let server = Server(configuration: configuration, logger: logger)
        do {
            _ = try await server.start()
        } catch {
            FileHandle.standardError.write(Data("aviary-server: \(error)\n".utf8))
            await server.shutdown()
            throw ExitCode(1)
        }
        let signals = SignalWaiter()
        await signals.waitForTermination()
        logger.info("shutting down")
        await server.shutdown()
    }
}
