import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryWire
import Foundation
import NIOCore

/// Four-letter words, laid out as ZooKeeper 3.8 lays them out so that monitoring scripts keep parsing them.
extension ReplicaDriver {
    static let versionLine = "3.8.0-aviary-\(AviaryVersion.current), built on \(AviaryVersion.buildDate)"

    func answerFourLetterWord(_ word: String, context: ChannelHandlerContext) {
        let text: String
        if !settings.fourLetterWordWhitelist.contains(word) {
            text = "\(word) is not executed because it is not in the whitelist.\n"
        } else {
            text = fourLetterWordReply(word)
        }
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func fourLetterWordReply(_ word: String) -> String {
        switch word {
        case "ruok": return "imok"
        case "isro": return replica.isReadOnly ? "ro" : "rw"
        case "srvr": return serverSummary(withClients: false)
        case "stat": return serverSummary(withClients: true)
        case "mntr": return monitorReport()
        case "conf": return configurationReport()
        case "cons": return connectionsReport(details: true) + "\n"
        case "crst": return "Connection stats reset.\n"
        case "srst":
            statistics.reset()
            return "Server stats reset.\n"
        case "envi": return environmentReport()
        case "dirs": return "datadir_size: 0\nlogdir_size: 0\n"
        case "wchs":
            let tree = replica.tree
            let watchedPaths = tree.dataWatches.pathCount + tree.childWatches.pathCount
            return "\(tree.dataWatches.watcherCount) connections watching \(watchedPaths) paths\nTotal watches:\(tree.watchCount)\n"
        case "wchc": return watchesByConnection()
        case "wchp": return watchesByPath()
        case "dump": return dumpReport()
        case "gtmk": return "0\n"
        case "stmk": return "0\n"
        case "hash": return "\n"
        default: return ""
        }
    }

    /// ZooKeeper's name for this server's role.
    var modeName: String {
        guard replica.consensus != nil else { return "standalone" }
        if replica.isReadOnly { return "read-only" }
        switch replica.servingState {
        case .leading: return "leader"
        case .following: return "follower"
        case .observing: return "observer"
        case .looking, .synchronizing: return "looking"
        }
    }

    private func serverSummary(withClients: Bool) -> String {
        guard replica.isServing || replica.isReadOnly else { return "This ZooKeeper instance is not currently serving requests\n" }
        var lines = ["Zookeeper version: \(Self.versionLine)"]
        if withClients {
            lines.append("Clients:")
            lines.append(connectionsReport(details: false))
        }
        lines += [
            "Latency min/avg/max: \(statistics.latencySummary)",
            "Received: \(statistics.packetsReceived)",
            "Sent: \(statistics.packetsSent)",
            "Connections: \(connections.count)",
            "Outstanding: \(replica.outstandingRequestCount)",
            "Zxid: 0x\(String(replica.lastProcessedZxid, radix: 16))",
            "Mode: \(modeName)",
            // ZooKeeper's node table holds the root twice (as "" and "/"); its count says so.
            "Node count: \(replica.tree.nodeCount + 1)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func connectionsReport(details: Bool) -> String {
        var lines: [String] = []
        for connection in connections.values.sorted(by: { $0.id < $1.id }) {
            var line = " \(connection.remoteDescription)[\(connection.handshakeDone ? 1 : 0)](queued=\(connection.arrivals.count),recved=\(connection.packetsReceived),sent=\(connection.packetsSent)"
            if details && connection.sessionId != 0 {
                line += ",sid=0x\(Self.hex(connection.sessionId)),lop=\(connection.lastOperation),est=\(connection.establishedMillis),to=\(connection.timeoutMillis),lcxid=0x\(String(UInt32(bitPattern: connection.lastCxid), radix: 16)),lzxid=0x\(Self.hex(connection.lastZxid))"
                line += ",lresp=\(connection.lastResponseMillis),llat=\(connection.lastLatencyMillis),minlat=\(connection.minLatencyMillis),avglat=\(connection.averageLatencyMillis),maxlat=\(connection.maxLatencyMillis)"
            }
            lines.append(line + ")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func monitorReport() -> String {
        let tree = replica.tree
        let ephemerals = tree.ephemeralsBySession.values.reduce(0) { $0 + $1.count }
        let rows: [(String, String)] = [
            ("zk_version", Self.versionLine),
            ("zk_server_state", modeName),
            ("zk_ephemerals_count", "\(ephemerals)"),
            ("zk_num_alive_connections", "\(connections.count)"),
            ("zk_avg_latency", ServerStatistics.format(statistics.averageLatencyMillis)),
            ("zk_outstanding_requests", "\(replica.outstandingRequestCount)"),
            ("zk_znode_count", "\(tree.nodeCount + 1)"),
            ("zk_global_sessions", "\(replica.sessions.count)"),
            ("zk_local_sessions", "0"),
            ("zk_packets_sent", "\(statistics.packetsSent)"),
            ("zk_packets_received", "\(statistics.packetsReceived)"),
            ("zk_watch_count", "\(tree.watchCount)"),
            ("zk_auth_failed_count", "\(statistics.authFailures)"),
            ("zk_min_latency", "\(statistics.latencySamples == 0 ? 0 : statistics.minLatencyMillis)"),
            ("zk_max_latency", "\(statistics.maxLatencyMillis)"),
            ("zk_approximate_data_size", "\(tree.approximateDataSize)"),
            ("zk_uptime", "\(WallClock.millis() - startMillis)"),
            ("zk_connection_rejected", "\(statistics.connectionsRejected)"),
            ("zk_bytes_received_count", "\(statistics.bytesReceived)"),
            ("zk_open_file_descriptor_count", "\(ProcessResources.openFileDescriptorCount())"),
            ("zk_max_file_descriptor_count", "\(ProcessResources.maximumFileDescriptorCount())"),
        ]
        return rows.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n") + "\n"
    }

    private func configurationReport() -> String {
        [
            "clientPort=\(settings.clientPort)",
            "secureClientPort=\(settings.secureClientPort ?? -1)",
            "dataDir=\(settings.dataDir)/version-2",
            "dataDirSize=0",
            "dataLogDir=\(settings.dataLogDir)/version-2",
            "dataLogSize=0",
            "tickTime=\(settings.tickTimeMillis)",
            "maxClientCnxns=\(settings.maxClientConnectionsPerHost)",
            "minSessionTimeout=\(replica.configuration.minSessionTimeoutMillis)",
            "maxSessionTimeout=\(replica.configuration.maxSessionTimeoutMillis)",
            "clientPortListenBacklog=-1",
        ].joined(separator: "\n") + "\n" + ensembleConfigurationReport()
    }

    /// The quorum half of `conf`, as a ZooKeeper member prints it.
    private func ensembleConfigurationReport() -> String {
        guard let ensemble, let member = ensemble.members[ensemble.myId] else { return "serverId=0\n" }
        var lines = [
            "serverId=\(ensemble.myId)",
            "initLimit=\(configuration.initLimitTicks)",
            "syncLimit=\(configuration.syncLimitTicks)",
            "electionAlg=3",
            "electionPort=\(member.electionPort)",
            "quorumPort=\(member.quorumPort)",
            "peerType=\(member.role == .observer ? 1 : 0)",
            "membership: ",
        ]
        lines.append(String(decoding: ensemble.configText, as: UTF8.self))
        return lines.joined(separator: "\n") + "\n"
    }

    private func environmentReport() -> String {
        let info = ProcessInfo.processInfo
        return [
            "Environment:",
            "zookeeper.version=\(Self.versionLine)",
            "host.name=\(info.hostName)",
            "os.name=Linux",
            "os.arch=\(ProcessResources.architecture)",
            "os.version=\(info.operatingSystemVersionString)",
            "user.name=\(info.environment["USER"] ?? NSUserName())",
            "user.home=\(NSHomeDirectory())",
            "user.dir=\(FileManager.default.currentDirectoryPath)",
            "aviary.version=\(AviaryVersion.current)",
        ].joined(separator: "\n") + "\n"
    }

    private func sessionId(of watcher: WatcherID) -> Int64 {
        connections[watcher]?.sessionId ?? 0
    }

    private func watchesByConnection() -> String {
        var pathsBySession: [Int64: Set<PathKey>] = [:]
        for manager in [replica.tree.dataWatches, replica.tree.childWatches] {
            for (watcher, paths) in manager.pathsByWatcherSorted() {
                pathsBySession[sessionId(of: watcher), default: []].formUnion(paths.map { PathKey($0) })
            }
        }
        var text = ""
        for session in pathsBySession.keys.sorted() {
            text += "0x\(Self.hex(session))\n"
            for path in pathsBySession[session]!.map(\.path).sorted() { text += "\t\(path)\n" }
        }
        return text + "\n"
    }

    private func watchesByPath() -> String {
        var sessionsByPath: [PathKey: Set<Int64>] = [:]
        for manager in [replica.tree.dataWatches, replica.tree.childWatches] {
            for (path, watchers) in manager.watchersByPathSorted() {
                sessionsByPath[PathKey(path), default: []].formUnion(watchers.map(sessionId(of:)))
            }
        }
        var text = ""
        for (path, sessions) in sessionsByPath.sorted(by: { $0.key.path < $1.key.path }) {
            text += "\(path)\n"
            for session in sessions.sorted() { text += "\t0x\(Self.hex(session))\n" }
        }
        return text + "\n"
    }

    private func dumpReport() -> String {
        let sessions = replica.sessions.sessions.keys.sorted()
        var text = "SessionTracker dump:\nSession Sets (\(sessions.isEmpty ? 0 : 1))/(\(sessions.count)):\n"
        if !sessions.isEmpty {
            text += "\(sessions.count) expire within \(replica.configuration.maxSessionTimeoutMillis) ms:\n"
            for session in sessions { text += "\t0x\(Self.hex(session))\n" }
        }
        let withEphemerals = replica.tree.ephemeralsBySession.filter { !$0.value.isEmpty }.keys.sorted()
        text += "ephemeral nodes dump:\nSessions with Ephemerals (\(withEphemerals.count)):\n"
        for session in withEphemerals {
            text += "0x\(Self.hex(session)):\n"
            for path in replica.tree.ephemeralsBySession[session]!.elementsInJavaOrder { text += "\t\(path)\n" }
        }
        text += "Connections dump:\nConnections Sets (1)/(\(connections.count)):\n"
        for connection in connections.values.sorted(by: { $0.id < $1.id }) {
            text += "\tip: \(connection.remoteDescription) sessionId: 0x\(Self.hex(connection.sessionId))\n"
        }
        return text
    }

    static func hex(_ value: Int64) -> String {
        String(UInt64(bitPattern: value), radix: 16)
    }
}
