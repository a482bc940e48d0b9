import AviaryDataTree
import AviaryReplica
import AviaryWire

/// Drives a `Replica` through `handle` only, and prints its effects as one readable line each:
///
///     log zxid=2 create                         appendToLog
///     c1 connected session=0x100000000000000 timeout=4000
///     c1 reply xid=1 zxid=2 err=0 /a            reply (with a short form of the body)
///     c1 event NodeCreated /a                   notification
///     c1 close
struct ReplicaHarness {
    static let address = "127.0.0.1"
    static let firstSessionId: Int64 = 0x0100_0000_0000_0000
    static let alice = Id(scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")

    var replica: Replica
    var now: Int64 = 1_795_798_360_000
    /// Every txn the replica asked to log, by zxid.
    var logged: [Int64: Txn] = [:]
    var lastLoggedZxid: Int64 = 0
    /// The raw effects of the last input.
    var lastEffects: [ReplicaEffect] = []

    init(configuration: ReplicaConfiguration = ReplicaConfiguration()) {
        replica = Replica(configuration: configuration, sessionSeedMillis: 0)
    }

    /// Feeds one input and returns its effects as lines.
    @discardableResult
    mutating func handle(_ input: ReplicaInput) -> [String] {
        let effects = replica.handle(input, now: now)
        now += 1
        lastEffects = effects
        for case .appendToLog(let txn) in effects {
            logged[txn.zxid] = txn
            lastLoggedZxid = max(lastLoggedZxid, txn.zxid)
        }
        return effects.map(Self.line)
    }

    /// Reports every logged txn durable.
    @discardableResult
    mutating func commitAll() -> [String] { handle(.logAppended(through: lastLoggedZxid)) }

    mutating func connect(
        _ connection: ConnectionID, timeout: Int32 = 4000, sessionId: Int64 = 0, passwd: [UInt8]? = nil,
        lastZxidSeen: Int64 = 0
    ) -> [String] {
        let request = ConnectRequest(
            lastZxidSeen: lastZxidSeen, timeOutMillis: timeout, sessionId: sessionId,
            passwd: passwd ?? [UInt8](repeating: 0, count: 16))
        return handle(.connect(connection, request, address: Self.address))
    }

    /// Connects and commits the createSession txn; returns the new session's id.
    @discardableResult
    mutating func openSession(_ connection: ConnectionID, timeout: Int32 = 4000) -> Int64 {
        _ = connect(connection, timeout: timeout)
        _ = commitAll()
        for case .connectResponse(connection, let response) in lastEffects { return response.sessionId }
        preconditionFailure("no connect response for c\(connection)")
    }

    mutating func send(
        _ connection: ConnectionID, xid: Int32, _ request: ClientRequest, identity: AuthOutcome? = nil
    ) -> [String] {
        handle(.request(connection, RequestHeader(xid: xid, opCode: request.opCode), request, identity: identity))
    }

    /// Sends a write and commits it at once.
    @discardableResult
    mutating func write(_ connection: ConnectionID, xid: Int32, _ request: ClientRequest) -> [String] {
        send(connection, xid: xid, request) + commitAll()
    }

    // MARK: - Lines

    static func line(_ effect: ReplicaEffect) -> String {
        switch effect {
        case .connectResponse(let connection, let response):
            "c\(connection) connected session=\(hex(response.sessionId)) timeout=\(response.timeOutMillis)"
        case .reply(let connection, let header, let body):
            "c\(connection) reply xid=\(header.xid) zxid=\(header.zxid) err=\(header.err)\(bodyText(body))"
        case .notification(let connection, let event):
            "c\(connection) event \(eventName(event.type)) \(event.path)"
        case .close(let connection, _):
            "c\(connection) close"
        case .appendToLog(let txn):
            "log zxid=\(txn.zxid) \(OpCode(rawValue: txn.header.type)?.name ?? "type\(txn.header.type)")"
        default:
            "ensemble \(effect)"
        }
    }

    static func bodyText(_ body: ResponseBody) -> String {
        switch body {
        case .empty: ""
        case .create(let path), .create2(let path, _), .sync(let path): " \(path)"
        case .stat(let stat): " version=\(stat.version)"
        case .getData(let data, _): " data=" + (data.map { String(decoding: $0, as: UTF8.self) } ?? "null")
        case .getChildren(let children), .getChildren2(let children, _): " [" + children.joined(separator: ",") + "]"
        case .whoAmI(let infos): " [" + infos.map { "\($0.authScheme):\($0.user)" }.joined(separator: ", ") + "]"
        case .error(let code): " error=\(code)"
        default: " \(body)"
        }
    }

    static func eventName(_ type: Int32) -> String {
        switch WatchEventType(rawValue: type) {
        case .nodeCreated: "NodeCreated"
        case .nodeDeleted: "NodeDeleted"
        case .nodeDataChanged: "NodeDataChanged"
        case .nodeChildrenChanged: "NodeChildrenChanged"
        default: "type\(type)"
        }
    }

    static func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }
}

/// Request builders.
enum Request {
    static func create(
        _ path: String, _ data: String = "", mode: CreateMode = .persistent, acl: [ACL] = ACL.openUnsafe
    ) -> ClientRequest {
        .create(CreateRequest(path: path, data: Array(data.utf8), acl: acl, flags: mode.rawValue), opCode: .create)
    }

    static func setData(_ path: String, _ data: String) -> ClientRequest {
        .setData(SetDataRequest(path: path, data: Array(data.utf8)))
    }

    static func getData(_ path: String, watch: Bool = false) -> ClientRequest {
        .getData(PathWatchRequest(path: path, watch: watch))
    }

    static func exists(_ path: String, watch: Bool = false) -> ClientRequest {
        .exists(PathWatchRequest(path: path, watch: watch))
    }

    static func auth(_ user: String) -> ClientRequest {
        .auth(AuthPacket(scheme: "digest", auth: Array(user.utf8)))
    }
}
