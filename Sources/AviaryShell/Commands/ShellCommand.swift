import AviaryClient

/// One parsed shell command, with its arguments checked (paths are checked by the client and server).
public enum ShellCommand: Sendable, Hashable {
    case ls(path: String, stat: Bool, watch: Bool, recursive: Bool)
    /// `ttlMillis` only with a TTL mode; `data` nil when none was given.
    case create(path: String, data: [UInt8], acl: [ACL]?, mode: CreateMode, ttlMillis: Int64?)
    case get(path: String, stat: Bool, watch: Bool)
    case set(path: String, data: [UInt8], version: Int32, stat: Bool)
    case stat(path: String, watch: Bool)
    case delete(path: String, version: Int32)
    case deleteAll(path: String)
    case getAcl(path: String, stat: Bool)
    case setAcl(path: String, acl: [ACL], version: Int32, stat: Bool, recursive: Bool)
    case addAuth(scheme: String, auth: String)
    case addWatch(path: String, mode: AddWatchMode)
    case removeWatches(path: String, type: WatcherType)
    case sync(path: String)
    case getEphemerals(path: String)
    case getAllChildrenNumber(path: String)
    case whoAmI
    case config(clientOnly: Bool, watch: Bool, stat: Bool)
    /// nil: reconnect to the current servers.
    case connect(String?)
    case close
    /// nil: print the current setting.
    case printWatches(Bool?)
    case history
    case redo(Int)
    case quit
    /// Follows a membership group; stops after `limit` lists if given.
    case members(path: String, limit: Int?)
    case help

    /// Whether the command needs a session (the others manage the shell itself).
    public var needsSession: Bool {
        switch self {
        case .connect, .close, .printWatches, .history, .redo, .quit, .help: false
        default: true
        }
    }

    /// Parses the words of a command line (see `CommandTokenizer`).
    /// - Throws: `ShellError` with the usage status for an unknown command or malformed arguments.
    public static func parse(_ words: [String]) throws(ShellError) -> ShellCommand {
        guard let name = words.first else { throw ShellError.usage("No command entered") }
        guard let spec = CommandSpec.named(name) else { throw ShellError.commandNotFound(name) }
        let arguments = try CommandArguments(parsing: Array(words.dropFirst()), spec: spec)
        let positional = arguments.positional
        let usage = ShellError.usage(spec.usageLine)

        func path(_ count: ClosedRange<Int> = 1...1) throws(ShellError) -> String {
            guard count.contains(positional.count) else { throw usage }
            return positional[0]
        }

        switch name {
        case "ls":
            return .ls(path: try path(), stat: arguments.has("s"), watch: arguments.has("w"), recursive: arguments.has("R"))
        case "create":
            return try parseCreate(arguments, usage: usage)
        case "get":
            return .get(path: try path(), stat: arguments.has("s"), watch: arguments.has("w"))
        case "set":
            guard positional.count == 2 else { throw usage }
            return .set(path: positional[0], data: Array(positional[1].utf8), version: try version(arguments), stat: arguments.has("s"))
        case "stat":
            return .stat(path: try path(), watch: arguments.has("w"))
        case "delete":
            return .delete(path: try path(), version: try version(arguments))
        case "deleteall":
            if let batch = arguments.values["b"], Int(batch) == nil {
                throw ShellError.usage("-b argument must be an int value")
            }
            return .deleteAll(path: try path())
        case "getAcl":
            return .getAcl(path: try path(), stat: arguments.has("s"))
        case "setAcl":
            guard positional.count == 2 else { throw usage }
            let acl = try ACLText.parse(positional[1], path: positional[0])
            return .setAcl(
                path: positional[0], acl: acl, version: try version(arguments), stat: arguments.has("s"),
                recursive: arguments.has("R"))
        case "addauth":
            guard (1...2).contains(positional.count) else { throw usage }
            return .addAuth(scheme: positional[0], auth: positional.count > 1 ? positional[1] : "")
        case "addWatch":
            return .addWatch(path: try path(), mode: try watchMode(arguments.values["m"], usage: usage))
        case "removewatches":
            let type: WatcherType =
                arguments.has("c") ? .children : arguments.has("d") ? .data : .any
            return .removeWatches(path: try path(), type: type)
        case "sync":
            return .sync(path: try path())
        case "getEphemerals":
            guard positional.count <= 1 else { throw usage }
            return .getEphemerals(path: positional.first ?? "/")
        case "getAllChildrenNumber":
            return .getAllChildrenNumber(path: try path())
        case "whoami":
            return .whoAmI
        case "config":
            return .config(clientOnly: arguments.has("c"), watch: arguments.has("w"), stat: arguments.has("s"))
        case "connect":
            return .connect(positional.first)
        case "close":
            return .close
        case "printwatches":
            guard positional.count <= 1 else { throw usage }
            return .printWatches(positional.first.map { $0 == "on" })
        case "history":
            return .history
        case "redo":
            guard positional.count == 1, let index = Int(positional[0]) else { throw usage }
            return .redo(index)
        case "quit":
            return .quit
        case "members":
            var limit: Int?
            if let text = arguments.values["n"] {
                guard let value = Int(text), value > 0 else { throw ShellError.usage("-n argument must be a positive int") }
                limit = value
            }
            return .members(path: try path(), limit: limit)
        default:
            return .help
        }
    }

    private static func parseCreate(_ arguments: CommandArguments, usage: ShellError) throws(ShellError) -> ShellCommand {
        let positional = arguments.positional
        guard (1...3).contains(positional.count) else { throw usage }
        let ephemeral = arguments.has("e")
        let sequential = arguments.has("s")
        let container = arguments.has("c")
        if container && (ephemeral || sequential) {
            throw ShellError.usage("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.")
        }
        var ttlMillis: Int64?
        if let text = arguments.values["t"] {
            guard let value = Int64(text) else { throw ShellError.usage("-t argument must be a long value") }
            if ephemeral { throw ShellError.usage("TTLs cannot be used with Ephemeral znodes") }
            if container { throw ShellError.usage("TTLs cannot be used with Container znodes") }
            guard value > 0, value <= EphemeralOwner.ttlMaximumMillis else {
                throw ShellError.usage("ttl must be positive and cannot be larger than: \(EphemeralOwner.ttlMaximumMillis)")
            }
            ttlMillis = value
        }
        let mode: CreateMode =
            switch (ephemeral, sequential, container, ttlMillis != nil) {
            case (true, true, _, _): .ephemeralSequential
            case (true, false, _, _): .ephemeral
            case (false, true, _, true): .persistentSequentialWithTTL
            case (false, true, _, false): .persistentSequential
            case (false, false, true, _): .container
            case (false, false, false, true): .persistentWithTTL
            case (false, false, false, false): .persistent
            }
        let path = positional[0]
        let data = positional.count > 1 ? Array(positional[1].utf8) : []
        let acl = positional.count > 2 ? try ACLText.parse(positional[2], path: path) : nil
        return .create(path: path, data: data, acl: acl, mode: mode, ttlMillis: ttlMillis)
    }

    private static func version(_ arguments: CommandArguments) throws(ShellError) -> Int32 {
        guard let text = arguments.values["v"] else { return -1 }
        guard let version = Int32(text) else { throw ShellError.usage("-v argument must be an int value") }
        return version
    }

    private static func watchMode(_ text: String?, usage: ShellError) throws(ShellError) -> AddWatchMode {
        switch text {
        case nil, "PERSISTENT_RECURSIVE"?: .persistentRecursive
        case "PERSISTENT"?: .persistent
        default: throw usage
        }
    }
}
