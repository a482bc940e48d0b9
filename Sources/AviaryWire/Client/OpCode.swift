/// Request types of the client protocol and of transactions (ZooKeeper's `ZooDefs.OpCode`).
public enum OpCode: Int32, Sendable, Hashable, CaseIterable {
    case notification = 0
    case create = 1
    case delete = 2
    case exists = 3
    case getData = 4
    case setData = 5
    case getACL = 6
    case setACL = 7
    case getChildren = 8
    case sync = 9
    case ping = 11
    case getChildren2 = 12
    case check = 13
    case multi = 14
    case create2 = 15
    case reconfig = 16
    case checkWatches = 17
    case removeWatches = 18
    case createContainer = 19
    case deleteContainer = 20
    case createTTL = 21
    case multiRead = 22
    case auth = 100
    case setWatches = 101
    case sasl = 102
    case getEphemerals = 103
    case getAllChildrenNumber = 104
    case setWatches2 = 105
    case addWatch = 106
    case whoAmI = 107
    case createSession = -10
    case closeSession = -11
    case error = -1

    /// Whether the server turns this request into a transaction (ZooKeeper's "write" set).
    public var isWrite: Bool {
        switch self {
        case .create, .create2, .createTTL, .createContainer, .delete, .deleteContainer, .setData, .setACL,
            .check, .multi, .reconfig, .createSession, .closeSession:
            true
        default:
            false
        }
    }

    /// The name ZooKeeper's `Request.op2String` prints (four-letter words and logs use it).
    public var name: String {
        switch self {
        case .getACL: "getACL"
        case .setACL: "setACL"
        default: "\(self)"
        }
    }
}

/// Special xids of the client protocol.
public enum SpecialXid {
    public static let notification: Int32 = -1
    public static let ping: Int32 = -2
    public static let auth: Int32 = -4
    public static let setWatches: Int32 = -8
}
