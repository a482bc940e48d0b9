import Foundation

/// Reading zoo.cfg: ZooKeeper's format and validation (`QuorumPeerConfig.parseProperties`), with these deviations,
/// each chosen so a mistake surfaces at start-up instead of as odd behaviour later:
///
/// - Relative `dataDir`/`dataLogDir` resolve against the configuration file's directory, not the working directory.
/// - A key set twice keeps the last value, as in Java, but also yields a warning; a server id listed twice
///   (`server.1` and `server.01` included) is an error.
/// - Keys ZooKeeper reads as system properties (`snapCount`, `forceSync`, `4lw.commands.whitelist`, …) are
///   accepted with or without the `zookeeper.` prefix, and their values are checked; ZooKeeper silently falls back
///   to the default on a malformed one.
/// - `tickTime`, `initLimit` and `syncLimit` must be positive. `initLimit`/`syncLimit` default to 10 and 5 rather
///   than failing in ensemble mode when unset.
/// - `dynamicConfigFile`, `group.N` and `weight.N` are errors until Aviary supports them: ignoring them would
///   start the server with a different ensemble or quorum rule than the operator wrote.
extension ServerConfiguration {
    /// Parses zoo.cfg text. `path` names the file in diagnostics and anchors relative directories; with `nil`,
    /// relative directories stay relative.
    public static func parse(contents: String, path: String?) throws(ConfigurationError) -> ServerConfiguration {
        let entries: [PropertiesFileParser.Entry]
        do {
            entries = try PropertiesFileParser.parse(contents)
        } catch {
            throw ConfigurationError(path: path, line: error.line, key: nil, reason: error.reason)
        }
        var parser = ServerConfigurationParser(path: path)
        for entry in entries {
            try parser.apply(entry)
        }
        return try parser.finish()
    }

    /// Reads and parses a zoo.cfg file. A relative `path` is made absolute against the working directory first, so
    /// `sourcePath` and the directories in the result are absolute.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        let absolutePath =
            path.hasPrefix("/")
            ? ConfigurationValues.normalize(path)
            : ConfigurationValues.normalize(FileManager.default.currentDirectoryPath + "/" + path)
        let data = try readFile(absolutePath)
        // Java reads .properties files as ISO 8859-1. UTF-8 is what editors write today; a file that is not valid
        // UTF-8 is read the Java way, so both kinds of non-ASCII text come through.
        let contents = String(data: data, encoding: .utf8) ?? String(decoding: data.map { UInt16($0) }, as: UTF16.self)
        return try parse(contents: contents, path: absolutePath)
    }

    private static func readFile(_ path: String) throws(ConfigurationError) -> Data {
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "no such file"
        } else if isDirectory.boolValue {
            reason = "is a directory"
        } else {
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                // Foundation's own message for a POSIX failure is generic; the errno text says what to fix.
                if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
                    underlying.domain == NSPOSIXErrorDomain
                {
                    reason = String(cString: strerror(Int32(underlying.code)))
                } else {
                    reason = error.localizedDescription
                }
            }
        }
        throw ConfigurationError(path: path, line: nil, key: nil, reason: "cannot read file: \(reason)")
    }
}

/// Builds a `ServerConfiguration` entry by entry, remembering where each key was set for later cross-checks.
struct ServerConfigurationParser {
    let path: String?
    let baseDirectory: String?
    var configuration: ServerConfiguration
    /// The line on which each key (canonical spelling) was last set.
    var lines: [String: Int] = [:]
    /// The spelling each key had in the file, for diagnostics.
    var spellings: [String: String] = [:]
    var serverLines: [Int64: Int] = [:]
    var dataDirSet = false
    var dataLogDirSet = false
    var minSessionTimeoutMillis: Int?
    var maxSessionTimeoutMillis: Int?
    var whitelistWords: Set<String>?
    var clientPortAddressSet = false
    var quorumTLS = TLSKeyFamily(prefix: "ssl.quorum.")
    var clientTLS = TLSKeyFamily(prefix: "ssl.")

    init(path: String?) {
        self.path = path
        self.baseDirectory = path.map(ConfigurationValues.directoryContaining)
        self.configuration = ServerConfiguration(dataDir: "")
        self.configuration.sourcePath = path
    }

    /// Keys ZooKeeper reads as JVM system properties. In zoo.cfg they are written bare (ZooKeeper adds the
    /// `zookeeper.` prefix); operators copying from the documentation often write the prefixed name, which Aviary
    /// also accepts.
    static let systemPropertyKeys: Set<String> = [
        "4lw.commands.whitelist", "jute.maxbuffer", "extendedTypesEnabled", "DigestAuthenticationProvider.superDigest",
        "znode.container.checkIntervalMs", "znode.container.maxPerMinute", "snapCount", "snapSizeLimitInKb", "preAllocSize", "forceSync",
        "snapshot.compression.method", "readonlymode.enabled", "X509AuthenticationProvider.superUser",
        "client.portUnification", "client.certReload",
    ]

    static func canonicalKey(_ key: String) -> String {
        let prefix = "zookeeper."
        guard key.hasPrefix(prefix) else { return key }
        let bare = String(key.dropFirst(prefix.count))
        return systemPropertyKeys.contains(bare) || bare.hasPrefix("ssl.") ? bare : key
    }

    mutating func apply(_ entry: PropertiesFileParser.Entry) throws(ConfigurationError) {
        let writtenKey = ConfigurationValues.trimmed(entry.key)
        let value = ConfigurationValues.trimmed(entry.value)
        let key = Self.canonicalKey(writtenKey)
        if key.hasPrefix("server.") {
            try applyServer(key: writtenKey, id: String(key.dropFirst("server.".count)), value: value, line: entry.line)
            return
        }
        if let previousLine = lines[key] {
            warn(line: entry.line, key: writtenKey, "set again; overrides the value on line \(previousLine)")
        }
        lines[key] = entry.line
        spellings[key] = writtenKey
        do {
            try applyValue(key: key, writtenKey: writtenKey, value: value, line: entry.line)
        } catch {
            throw ConfigurationError(path: path, line: entry.line, key: writtenKey, reason: error.reason)
        }
    }

    // One flat switch keeps each key's rule on one line, where a reader looks for it.
    private mutating func applyValue(
        key: String, writtenKey: String, value: String, line: Int
    ) throws(ConfigurationValueError) {
        typealias Read = ConfigurationValues
        switch key {
        case "tickTime": configuration.tickTimeMillis = try Read.positiveInteger(value)
        case "initLimit": configuration.initLimitTicks = try Read.positiveInteger(value)
        case "syncLimit": configuration.syncLimitTicks = try Read.positiveInteger(value)
        case "dataDir":
            configuration.dataDir = try Read.directory(value, relativeTo: baseDirectory)
            dataDirSet = true
        case "dataLogDir":
            configuration.dataLogDir = try Read.directory(value, relativeTo: baseDirectory)
            dataLogDirSet = true
        case "clientPort": configuration.clientPort = try Read.optionalPort(value)
        case "clientPortAddress":
            configuration.clientPortAddress = try Read.host(value)
            clientPortAddressSet = true
        case "secureClientPort": configuration.secureClientPort = try Read.optionalPort(value)
        case _ where try applyTLS(key: key, value: value, line: line): break
        case "maxClientCnxns": configuration.maxClientConnectionsPerHost = try Read.nonNegativeInteger(value)
        case "minSessionTimeout": minSessionTimeoutMillis = try sessionTimeout(value)
        case "maxSessionTimeout": maxSessionTimeoutMillis = try sessionTimeout(value)
        case "4lw.commands.whitelist":
            let (words, unknown) = FourLetterWords.parseWhitelist(value)
            whitelistWords = words
            for word in unknown {
                warn(line: line, key: writtenKey, "unknown four-letter word '\(word)'; ignored")
            }
        case "jute.maxbuffer": configuration.juteMaxBufferBytes = try Read.positiveInteger(value)
        case "extendedTypesEnabled": configuration.extendedTypesEnabled = try Read.boolean(value)
        case "DigestAuthenticationProvider.superDigest": configuration.superDigest = try superDigest(value)
        case "znode.container.checkIntervalMs":
            configuration.containerCheckIntervalMillis = try Read.positiveInteger(value)
        case "znode.container.maxPerMinute": configuration.containerMaxPerMinute = try Read.positiveInteger(value)
        case "snapCount": configuration.snapCount = try snapCount(value, line: line, writtenKey: writtenKey)
        case "snapSizeLimitInKb": configuration.snapSizeLimitKB = try Read.nonNegativeInteger(value)
        case "preAllocSize": configuration.preAllocSizeKB = try Read.positiveInteger(value)
        case "forceSync": configuration.forceSync = try Read.yesNo(value)
        case "txnLogCompression": configuration.txnLogCompression = try Read.boolean(value)
        case "snapshot.compression.method":
            guard let compression = SnapshotCompression(configurationValue: value) else {
                throw ConfigurationValueError("unknown compression method '\(value)' (expected '', 'gz' or 'snappy')")
            }
            configuration.snapshotCompression = compression
        case "autopurge.snapRetainCount": configuration.autopurgeSnapRetainCount = try Read.integer(value)
        case "autopurge.purgeInterval": configuration.autopurgePurgeIntervalHours = try Read.integer(value)
        case "standaloneEnabled": configuration.standaloneEnabled = try Read.boolean(value)
        case "readonlymode.enabled": configuration.readOnlyModeEnabled = try Read.boolean(value)
        case "quorumListenOnAllIPs": configuration.quorumListenOnAllIPs = try Read.boolean(value)
        case "electionAlg":
            // Only fast leader election (3) has existed since 3.4; ZooKeeper rejects the others too.
            guard try Read.integer(value) == 3 else {
                throw ConfigurationValueError("only 3 (fast leader election) is supported: '\(value)'")
            }
        case "peerType":
            guard QuorumServer.Role(rawValue: value.lowercased()) != nil else {
                throw ConfigurationValueError("unknown peer type '\(value)' (expected 'participant' or 'observer')")
            }
            warn(line: line, key: writtenKey, "ignored; the role comes from this server's server.N line")
        case "dynamicConfigFile":
            throw ConfigurationValueError(
                "dynamic configuration files are not supported yet; list the server.N lines in this file")
        case _ where key.hasPrefix("group.") || key.hasPrefix("weight."):
            throw ConfigurationValueError("hierarchical quorums (group.N, weight.N) are not supported yet")
        default:
            try ignore(key: key, writtenKey: writtenKey, value: value, line: line)
        }
    }

    private mutating func ignore(
        key: String, writtenKey: String, value: String, line: Int
    ) throws(ConfigurationValueError) {
        let prefix = "zookeeper."
        let bare = key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
        let classification = IgnoredConfigurationKeys.classify(bare)
        switch classification.valueKind {
        case .any: break
        case .boolean: _ = try ConfigurationValues.boolean(value)
        case .integer: _ = try ConfigurationValues.integer(value)
        case .long: _ = try ConfigurationValues.long(value)
        }
        warn(line: line, key: writtenKey, classification.reason)
    }

    /// ZooKeeper writes -1 for "not set, use the default"; it may appear in files that were generated.
    private func sessionTimeout(_ value: String) throws(ConfigurationValueError) -> Int? {
        let millis = try ConfigurationValues.integer(value)
        if millis == -1 {
            return nil
        }
        guard millis >= 0 else {
            throw ConfigurationValueError("not a non-negative integer: '\(value)'")
        }
        return millis
    }

    private func superDigest(_ value: String) throws(ConfigurationValueError) -> String {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex,
            value.index(after: colon) != value.endIndex
        else {
            throw ConfigurationValueError("not of the form user:base64digest: '\(value)'")
        }
        return value
    }

    private mutating func snapCount(
        _ value: String, line: Int, writtenKey: String
    ) throws(ConfigurationValueError) -> Int {
        let count = try ConfigurationValues.integer(value)
        let minimum = ServerConfiguration.Defaults.snapCountMin
        guard count >= minimum else {
            warn(line: line, key: writtenKey, "\(count) is below the minimum; using \(minimum)")
            return minimum
        }
        return count
    }

    private mutating func applyServer(key: String, id idText: String, value: String, line: Int)
        throws(ConfigurationError)
    {
        guard let id = Int64(idText), id >= 0 else {
            throw ConfigurationError(
                path: path, line: line, key: key,
                reason: "server id is not a non-negative integer: '\(idText)'")
        }
        if let firstLine = serverLines[id] {
            throw ConfigurationError(
                path: path, line: line, key: key,
                reason: "duplicate server id \(id) (first listed on line \(firstLine))")
        }
        do {
            configuration.servers.append(try QuorumServer.parse(id: id, specification: value))
        } catch {
            throw ConfigurationError(path: path, line: line, key: key, reason: error.reason)
        }
        serverLines[id] = line
    }

    mutating func warn(line: Int?, key: String?, _ reason: String) {
        configuration.warnings.append(ConfigurationWarning(path: path, line: line, key: key, reason: reason))
    }

    func error(key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(path: path, line: lines[key], key: spellings[key] ?? key, reason: reason)
    }
}
