/// The checks that need the whole file: required keys, defaults derived from other keys, and the shape of the
/// ensemble. Errors point at the line of the key that has to change.
extension ServerConfigurationParser {
    mutating func finish() throws(ConfigurationError) -> ServerConfiguration {
        guard dataDirSet else {
            throw ConfigurationError(path: path, line: nil, key: "dataDir", reason: "required but not set")
        }
        if !dataLogDirSet {
            configuration.dataLogDir = configuration.dataDir
        }
        if clientPortAddressSet && configuration.clientPort == nil {
            throw error(key: "clientPortAddress", "set, but clientPort is not")
        }
        if lines["secureClientPortAddress"] != nil && configuration.secureClientPort == nil {
            throw error(key: "secureClientPortAddress", "set, but secureClientPort is not")
        }
        try finishTLS()
        try deriveSessionTimeouts()
        adjustAutopurge()
        deriveWhitelist()
        try checkEnsemble()
        try checkAddressConflicts()
        try checkStandaloneClientPort()
        configuration.servers.sort { $0.id < $1.id }
        sortWarningsByLine()
        return configuration
    }

    /// Warnings are found in two passes; operators read them in file order, file-wide ones last.
    private mutating func sortWarningsByLine() {
        configuration.warnings = configuration.warnings.enumerated()
            .sorted { ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset) }
            .map(\.element)
    }

    /// Defaults of 2 and 20 ticks follow `tickTime` wherever it appears in the file, which is why they are derived
    /// only once everything has been read.
    private mutating func deriveSessionTimeouts() throws(ConfigurationError) {
        let tick = configuration.tickTimeMillis
        let minimum = minSessionTimeoutMillis ?? ServerConfiguration.Defaults.minSessionTimeoutTicks * tick
        let maximum = maxSessionTimeoutMillis ?? ServerConfiguration.Defaults.maxSessionTimeoutTicks * tick
        guard minimum <= maximum else {
            let key = maxSessionTimeoutMillis != nil ? "maxSessionTimeout" : "minSessionTimeout"
            throw error(key: key, "minSessionTimeout (\(minimum) ms) is larger than maxSessionTimeout (\(maximum) ms)")
        }
        configuration.minSessionTimeoutMillis = minimum
        configuration.maxSessionTimeoutMillis = maximum
    }

    /// ZooKeeper raises a retain count below 3 and treats a non-positive interval as "off"; Aviary does the same,
    /// and says so.
    private mutating func adjustAutopurge() {
        let minimum = ServerConfiguration.Defaults.autopurgeSnapRetainCountMin
        if configuration.autopurgeSnapRetainCount < minimum {
            warnAt(
                key: "autopurge.snapRetainCount",
                "\(configuration.autopurgeSnapRetainCount) is below the minimum; using \(minimum)")
            configuration.autopurgeSnapRetainCount = minimum
        }
        if configuration.autopurgePurgeIntervalHours < 0 {
            warnAt(key: "autopurge.purgeInterval", "negative; automatic purging is off")
            configuration.autopurgePurgeIntervalHours = 0
        }
    }

    private mutating func deriveWhitelist() {
        var words = (whitelistWords ?? []).union(FourLetterWords.alwaysEnabled)
        if configuration.readOnlyModeEnabled {
            words.insert("isro")
        }
        configuration.fourLetterWordWhitelist = words
    }

    /// ZooKeeper's rules for the member list (`QuorumPeerConfig.parseDynamicConfig`).
    private mutating func checkEnsemble() throws(ConfigurationError) {
        let participantCount = configuration.participants.count
        let observerCount = configuration.observers.count
        let firstObserverLine = configuration.observers.compactMap { serverLines[$0.id] }.min()
        switch participantCount {
        case 0:
            if !configuration.standaloneEnabled {
                throw error(key: "standaloneEnabled", "false, but no participant is listed in server.N lines")
            }
            if observerCount > 0 {
                throw ConfigurationError(
                    path: path, line: firstObserverLine, key: nil,
                    reason: "observers are listed but no participant")
            }
        case 1 where configuration.standaloneEnabled:
            if observerCount > 0 {
                throw ConfigurationError(
                    path: path, line: firstObserverLine, key: nil,
                    reason: "observers need an ensemble, but only one participant is listed")
            }
            let line = configuration.participants.first.flatMap { serverLines[$0.id] }
            warn(line: line, key: nil, "only one server is listed; running standalone")
        default:
            if participantCount <= 2 {
                warn(
                    line: nil, key: nil,
                    "\(participantCount) participant(s): no server failure will be tolerated; list at least 3")
            } else if participantCount % 2 == 0 {
                warn(
                    line: nil, key: nil,
                    "\(participantCount) participants tolerate no more failures than \(participantCount - 1); "
                        + "an odd number is recommended")
            }
        }
    }

    /// Two listeners on one host and port cannot both bind; catching it here names the line instead of leaving a
    /// bind error on one machine of the ensemble. Wildcard client addresses are not compared.
    private func checkAddressConflicts() throws(ConfigurationError) {
        struct Endpoint: Hashable {
            var host: String
            var port: Int
        }
        var owners: [Endpoint: String] = [:]
        let inFileOrder = configuration.servers.sorted { (serverLines[$0.id] ?? 0) < (serverLines[$1.id] ?? 0) }
        for server in inFileOrder {
            var endpoints: [(Endpoint, String)] = []
            for address in server.addresses {
                endpoints.append((Endpoint(host: address.host, port: address.quorumPort), "quorum port"))
                endpoints.append((Endpoint(host: address.host, port: address.electionPort), "election port"))
            }
            if let host = server.clientAddress, let port = server.clientPort, !["0.0.0.0", "::"].contains(host) {
                endpoints.append((Endpoint(host: host, port: port), "client port"))
            }
            for (endpoint, role) in endpoints {
                let description = "\(role) of server.\(server.id)"
                if let owner = owners[endpoint] {
                    throw ConfigurationError(
                        path: path, line: serverLines[server.id], key: "server.\(server.id)",
                        reason: "\(endpoint.host):\(endpoint.port) is used twice: \(owner) and \(description)")
                }
                owners[endpoint] = description
            }
        }
    }

    private func checkStandaloneClientPort() throws(ConfigurationError) {
        let anyServerClientPort = configuration.servers.contains { $0.clientPort != nil }
        guard
            configuration.isEnsemble || configuration.clientPort != nil || configuration.secureClientPort != nil
                || anyServerClientPort
        else {
            throw ConfigurationError(
                path: path, line: nil, key: "clientPort",
                reason: "not set; a standalone server needs clientPort or secureClientPort")
        }
    }

    private mutating func warnAt(key: String, _ reason: String) {
        warn(line: lines[key], key: spellings[key] ?? key, reason)
    }
}
