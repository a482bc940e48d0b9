import AviaryDataTree
import AviaryStorage
import AviaryWire

/// The operator's view of a data directory: dump and verify logs and snapshots, decompress sealed segments back
/// to ZooKeeper's raw format, purge. Each function writes its report line by line through `output`.
public enum DataDirectoryTool {
    /// Prints every txn of the given log segments (raw or `.gz`), one line each or one JSON object each.
    public static func dumpLogs(paths: [String], json: Bool, output: (String) -> Void) throws {
        for path in paths {
            guard let segment = segment(at: path) else {
                throw StartupError("\(path): not a log segment (expected log.<hex zxid>[.gz])")
            }
            let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            let summary = try TxnLogReader(directory: directory.isEmpty ? "." : directory).read(segment: segment) { logged in
                output(json ? StorageDump.json(logged.txn) : "\(logged.offset)\t" + StorageDump.describe(logged.txn))
            }
            if !json {
                output("# \(segment.name): \(summary.txnCount) txns, checksums verified")
                if let torn = summary.tornTail {
                    output("# torn tail at offset \(torn.offset): \(torn.reason)")
                }
            }
        }
    }

    /// Prints a snapshot's sessions and nodes after verifying its seals.
    public static func dumpSnapshot(path: String, json: Bool, output: (String) -> Void) throws {
        let snapshot = try SnapshotFile.read(path: path)
        if json {
            StorageDump.jsonLines(snapshot).forEach(output)
            return
        }
        output("# \(path): zxid 0x\(String(snapshot.zxid, radix: 16)), \(snapshot.tree.nodeCount) nodes, \(snapshot.sessions.count) sessions, seals verified")
        if let digest = snapshot.digest {
            let matches = snapshot.tree.treeDigest() == digest.value
            output("# digest at 0x\(String(digest.zxid, radix: 16)): \(digest.value) (\(matches ? "matches the tree" : "differs from the tree: the snapshot is fuzzy, replay reconciles it"))")
        }
        for session in snapshot.sessions {
            output("session 0x\(String(UInt64(bitPattern: session.id), radix: 16)) timeout \(session.timeoutMillis) ms")
        }
        for path in snapshot.tree.allPaths().sorted() {
            let node = snapshot.tree.node(at: path)!
            output(StorageDump.json(path: path, node: node, acl: snapshot.tree.acl(of: node)))
        }
    }

    /// Recovers the directory without changing it and reports what a start-up would do.
    public static func verify(configuration: ServerConfiguration, output: (String) -> Void) throws {
        let directory = try DataDirectory(dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir)
        var options = DataDirectory.RecoveryOptions()
        options.repair = false
        options.verifyTxnDigests = false
        let state = try directory.recover(options: options)
        state.notes.forEach { output("# \($0)") }
        output("snapshot: \(state.snapshotPath ?? "none")")
        output("replayed txns: \(state.replayedTxnCount)")
        output("last zxid: 0x\(String(state.lastZxid, radix: 16))")
        output("nodes: \(state.tree.nodeCount), sessions: \(state.sessions.count)")
        if let torn = state.tornTail {
            output("torn tail: \(torn.segment.name) at offset \(torn.offset) (\(torn.reason)); start-up will cut it")
        }
        output("OK")
    }

    /// Rewrites every compressed segment in ZooKeeper's raw format, so ZooKeeper's tools and servers read them.
    public static func decompress(configuration: ServerConfiguration, output: (String) -> Void) throws {
        let directory = try DataDirectory(dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir)
        let written = try TxnLogFiles.decompressAll(in: directory.logDirectory)
        written.forEach { output("decompressed \($0)") }
        output("\(written.count) segments decompressed")
    }

    /// Keeps the newest `retain` snapshots and the logs they need; removes the rest.
    public static func purge(configuration: ServerConfiguration, retain: Int, output: (String) -> Void) throws {
        let directory = try DataDirectory(dataDir: configuration.dataDir, dataLogDir: configuration.dataLogDir)
        let removed = try directory.purge(retainSnapshots: retain)
        removed.forEach { output("removed \($0)") }
        output("\(removed.count) files removed")
    }

    private static func segment(at path: String) -> TxnLogReader.Segment? {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = String(path.split(separator: "/").last ?? "")
        return (try? TxnLogReader.segments(in: directory.isEmpty ? "/" : directory))?.first { $0.name == name }
    }
}
