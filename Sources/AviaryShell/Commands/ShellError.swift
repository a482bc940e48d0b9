import AviaryClient

/// A failed command: the message printed on standard error and the exit status it gives.
public struct ShellError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var status: Int32

    public init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// A malformed command: a bad flag, a missing argument.
    public static func usage(_ message: String) -> ShellError {
        ShellError(message, status: ExitStatus.usage)
    }

    public static func commandNotFound(_ name: String) -> ShellError {
        ShellError("\(CommandSpec.usageText)\nCommand not found: \(name)", status: ExitStatus.usage)
    }

    public static let notConnected = ShellError("Not connected", status: ExitStatus.status(for: .connectionLoss))

    /// A ZooKeeper error, worded as zkCli.sh words it (its `CliWrapperException`), so the messages people
    /// search for are the ones they see.
    public init(_ error: ZooKeeperError) {
        let path = error.path ?? "null"
        let message: String
        switch error.code {
        case .noNode: message = "Node does not exist: \(path)"
        case .noChildrenForEphemerals: message = "Ephemerals cannot have children: \(path)"
        case .nodeExists: message = "Node already exists: \(path)"
        case .notEmpty: message = "Node not empty: \(path)"
        case .notReadOnly: message = "Not a read-only call: \(path)"
        case .invalidACL: message = "Acl is not valid : \(path)"
        case .noAuth: message = "Insufficient permission : \(path)"
        case .badArguments where error.detail != nil && error.path == nil:
            message = "Arguments are not valid : \(error.detail ?? "")"
        case .badArguments: message = "Arguments are not valid : \(path)"
        case .badVersion: message = "version No is not valid : \(path)"
        case .quotaExceeded: message = "Quota has exceeded : \(path)"
        default:
            var text = "KeeperErrorCode = \(Self.codeMessage(error.code))"
            if let errorPath = error.path, !errorPath.isEmpty { text += " for \(errorPath)" }
            message = text
        }
        self.init(message, status: ExitStatus.status(for: error.code))
    }

    /// ZooKeeper's wording of each code (`KeeperException.getCodeMessage`).
    static func codeMessage(_ code: KeeperError) -> String {
        switch code {
        case .systemError: "SystemError"
        case .runtimeInconsistency: "RuntimeInconsistency"
        case .dataInconsistency: "DataInconsistency"
        case .connectionLoss: "ConnectionLoss"
        case .marshallingError: "MarshallingError"
        case .newConfigNoQuorum: "NewConfigNoQuorum"
        case .reconfigInProgress: "ReconfigInProgress"
        case .unimplemented: "Unimplemented"
        case .operationTimeout: "OperationTimeout"
        case .badArguments: "BadArguments"
        case .apiError: "APIError"
        case .noNode: "NoNode"
        case .noAuth: "NoAuth"
        case .badVersion: "BadVersion"
        case .noChildrenForEphemerals: "NoChildrenForEphemerals"
        case .nodeExists: "NodeExists"
        case .invalidACL: "InvalidACL"
        case .authFailed: "AuthFailed"
        case .notEmpty: "Directory not empty"
        case .sessionExpired: "Session expired"
        case .invalidCallback: "Invalid callback"
        case .sessionMoved: "Session moved"
        case .notReadOnly: "Not a read-only call"
        case .ephemeralOnLocalSession: "Ephemeral node on local session"
        case .noWatcher: "No such watcher"
        case .reconfigDisabled: "Reconfig is disabled"
        case .sessionClosedRequireSASLAuth: "Session closed because client failed to authenticate"
        case .quotaExceeded: "Quota has exceeded"
        case .throttledOp: "Op throttled due to high load"
        case .unknownSession: "Unknown session"
        case .requestTimeout: "Request timeout"
        }
    }
}
