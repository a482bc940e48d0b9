import ArgumentParser
import AviaryServer
import Foundation

/// `aviary-server logs FILE…`: every txn of the given log segments.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the transactions of log segments (log.<zxid> or log.<zxid>.gz), verifying checksums.")

    @Flag(help: "One JSON object per transaction.") var json = false
    @Argument(help: "Log segment files.") var files: [String]

    func run() throws {
        try reportingErrors { try DataDirectoryTool.dumpLogs(paths: files, json: json) { print($0) } }
    }
}

/// `aviary-server snapshot FILE`: the sessions and nodes of a snapshot.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a snapshot's sessions and znodes (snapshot.<zxid> or .gz), verifying its seals.")

    @Flag(help: "One JSON object per znode.") var json = false
    @Argument(help: "A snapshot file.") var file: String

    func run() throws {
        try reportingErrors { try DataDirectoryTool.dumpSnapshot(path: file, json: json) { print($0) } }
    }
}

/// `aviary-server verify CONF`: a dry-run recovery.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the data directory of a zoo.cfg as start-up would, without changing anything.")

    @Argument(help: "Path to a zoo.cfg.") var config: String

    func run() throws {
        let configuration = try loadConfiguration(config)
        try reportingErrors { try DataDirectoryTool.verify(configuration: configuration) { print($0) } }
    }
}

/// `aviary-server decompress CONF`: back to ZooKeeper's raw segments.
struct Decompress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite compressed log segments (log.<zxid>.gz) in ZooKeeper's raw format. Run it with the server stopped.")

    @Argument(help: "Path to a zoo.cfg.") var config: String

    func run() throws {
        let configuration = try loadConfiguration(config)
        try reportingErrors { try DataDirectoryTool.decompress(configuration: configuration) { print($0) } }
    }
}

/// `aviary-server purge [-n N] CONF`: ZooKeeper's zkCleanup.sh.
struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete old snapshots and the logs only they need, keeping the newest N snapshots.")

    @Option(name: .customShort("n"), help: "Snapshots to keep (at least 3).") var count = 3
    @Argument(help: "Path to a zoo.cfg.") var config: String

    func run() throws {
        guard count >= 3 else { throw ValidationError("-n must be at least 3, as ZooKeeper requires") }
        let configuration = try loadConfiguration(config)
        try reportingErrors { try DataDirectoryTool.purge(configuration: configuration, retain: count) { print($0) } }
    }
}

func loadConfiguration(_ path: String) throws -> ServerConfiguration {
    do {
        return try ServerConfiguration.load(path: path)
    } catch {
        FileHandle.standardError.write(Data("aviary-server: invalid configuration: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// Turns a storage error into one clear line on stderr and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("aviary-server: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
