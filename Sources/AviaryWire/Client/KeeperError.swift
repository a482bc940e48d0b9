/// ZooKeeper's result codes (`KeeperException.Code`), as carried in `ReplyHeader.err`.
public enum KeeperError: Int32, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case systemError = -1
    case runtimeInconsistency = -2
    case dataInconsistency = -3
    case connectionLoss = -4
    case marshallingError = -5
    case unimplemented = -6
    case operationTimeout = -7
    case badArguments = -8
    case unknownSession = -12
    case newConfigNoQuorum = -13
    case reconfigInProgress = -14
    case apiError = -100
    case noNode = -101
    case noAuth = -102
    case badVersion = -103
    case noChildrenForEphemerals = -108
    case nodeExists = -110
    case notEmpty = -111
    case sessionExpired = -112
    case invalidCallback = -113
    case invalidACL = -114
    case authFailed = -115
    case sessionMoved = -118
    case notReadOnly = -119
    case ephemeralOnLocalSession = -120
    case noWatcher = -121
    case requestTimeout = -122
    case reconfigDisabled = -123
    case sessionClosedRequireSASLAuth = -124
    case quotaExceeded = -125
    case throttledOp = -127

    /// The case name, as ZooKeeper's `Code` names it in camel case.
    public var name: String {
        switch self {
        case .systemError: "systemError"
        case .runtimeInconsistency: "runtimeInconsistency"
        case .dataInconsistency: "dataInconsistency"
        case .connectionLoss: "connectionLoss"
        case .marshallingError: "marshallingError"
        case .unimplemented: "unimplemented"
        case .operationTimeout: "operationTimeout"
        case .badArguments: "badArguments"
        case .unknownSession: "unknownSession"
        case .newConfigNoQuorum: "newConfigNoQuorum"
        case .reconfigInProgress: "reconfigInProgress"
        case .apiError: "apiError"
        case .noNode: "noNode"
        case .noAuth: "noAuth"
        case .badVersion: "badVersion"
        case .noChildrenForEphemerals: "noChildrenForEphemerals"
        case .nodeExists: "nodeExists"
        case .notEmpty: "notEmpty"
        case .sessionExpired: "sessionExpired"
        case .invalidCallback: "invalidCallback"
        case .invalidACL: "invalidACL"
        case .authFailed: "authFailed"
        case .sessionMoved: "sessionMoved"
        case .notReadOnly: "notReadOnly"
        case .ephemeralOnLocalSession: "ephemeralOnLocalSession"
        case .noWatcher: "noWatcher"
        case .requestTimeout: "requestTimeout"
        case .reconfigDisabled: "reconfigDisabled"
        case .sessionClosedRequireSASLAuth: "sessionClosedRequireSASLAuth"
        case .quotaExceeded: "quotaExceeded"
        case .throttledOp: "throttledOp"
        }
    }

    public var description: String { "\(name)(\(rawValue))" }
}
