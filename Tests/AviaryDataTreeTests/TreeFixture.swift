import AviaryDataTree
import AviaryWire

/// A tree with the leader's side around it: zxids, pending changes, and the watch events applying produced.
///
/// Failures are reported as raw codes (`Int32`) or as `Refused`, never as `KeeperError` values, so a failing
/// test prints numbers.
struct TreeFixture {
    static let session: Int64 = 0x0100_0000_0000_0001
    static let otherSession: Int64 = 0x0100_0000_0000_0002
    static let alice = Id(scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")
    static let bob = Id(scheme: "digest", id: "bob:Xq0Ll3pqVpSGZTJ7kjU0lwcJD7k=")
    static let superUser = Id(scheme: "super", id: "")

    var tree = DataTree()
    var pending = PendingChanges()
    var nextZxid: Int64 = 1
    var time: Int64 = 1_795_798_360_000
    var extendedTypesEnabled = false
    /// Every watch event fired so far, in order.
    var events: [WatchNotification] = []

    /// Prepares `request` into a txn at the next zxid without applying it. A failed prepare consumes no zxid.
    mutating func prepare(
        _ request: ClientRequest, session: Int64 = session, auth: [Id] = []
    ) throws(Refused) -> Txn {
        let zxid = nextZxid
        let context = PrepareContext(
            sessionId: session, zxid: zxid, time: time, authInfo: auth, extendedTypesEnabled: extendedTypesEnabled)
        let body: TxnBody
        do throws(KeeperError) {
            body = try tree.prepare(request, context: context, pending: &pending)
        } catch {
            throw Refused(code: error.rawValue)
        }
        nextZxid += 1
        let header = TxnHeader(clientId: session, cxid: 0, zxid: zxid, time: time, type: body.opCode.rawValue)
        return Txn(header: header, body: body)
    }

    @discardableResult
    mutating func apply(_ txn: Txn) -> ApplyResult {
        var fired: [WatchNotification] = []
        let result = tree.apply(txn, notifications: &fired)
        pending.applied(through: txn.zxid)
        events += fired
        time += 1000
        return result
    }

    /// Prepares and applies; throws what prepare throws.
    @discardableResult
    mutating func write(
        _ request: ClientRequest, session: Int64 = session, auth: [Id] = []
    ) throws(Refused) -> ApplyResult {
        apply(try prepare(request, session: session, auth: auth))
    }

    /// 0 when prepare and apply both succeed, else the failing code.
    mutating func code(_ request: ClientRequest, session: Int64 = session, auth: [Id] = []) -> Int32 {
        do throws(Refused) {
            return try write(request, session: session, auth: auth).errorCode
        } catch {
            return error.code
        }
    }

    mutating func read(
        _ request: ClientRequest, session: Int64 = session, auth: [Id] = [], watcher: WatcherID = 1
    ) throws(Refused) -> ResponseBody {
        do throws(KeeperError) {
            return try tree.read(request, sessionId: session, authInfo: auth, watcher: watcher)
        } catch {
            throw Refused(code: error.rawValue)
        }
    }

    /// 0 when the read succeeds, else its code.
    mutating func readCode(_ request: ClientRequest, auth: [Id] = [], watcher: WatcherID = 1) -> Int32 {
        do throws(Refused) {
            _ = try read(request, auth: auth, watcher: watcher)
            return 0
        } catch {
            return error.code
        }
    }

    func stat(_ path: String) -> Stat? { tree.node(at: path)?.clientStat }

    func children(_ path: String) -> [String] { tree.children(of: path) }

    /// A tree most error tables start from:
    ///
    ///     /a           open            /a/b  open
    ///     /eph         ephemeral of `session`
    ///     /ro          read-only for everyone; /ro/child (open) made by the super user
    ///     /alice       all permissions for alice only
    static func standard() -> TreeFixture {
        var fixture = TreeFixture()
        do throws(Refused) {
            try fixture.write(Op.create("/a", "a"))
            try fixture.write(Op.create("/a/b", "b"))
            try fixture.write(Op.create("/eph", "e", mode: .ephemeral))
            try fixture.write(Op.create("/ro", "r", acl: [.readOnly()]))
            try fixture.write(Op.create("/ro/child"), auth: [superUser])
            try fixture.write(Op.create("/alice", "s", acl: [ACL(.all, alice)]))
        } catch {
            preconditionFailure("standard tree setup failed: \(error)")
        }
        fixture.events = []
        return fixture
    }

    /// Events fired since the last call, as "watcher type path" lines.
    mutating func takeEvents() -> [String] {
        defer { events = [] }
        return events.map { "\($0.watcher) \(Self.name(of: $0.event.type)) \($0.event.path)" }
    }

    static func name(of type: Int32) -> String {
        switch WatchEventType(rawValue: type) {
        case .nodeCreated: "NodeCreated"
        case .nodeDeleted: "NodeDeleted"
        case .nodeDataChanged: "NodeDataChanged"
        case .nodeChildrenChanged: "NodeChildrenChanged"
        default: "type\(type)"
        }
    }
}

/// A request the tree refused, by its raw code.
struct Refused: Error, Equatable, CustomStringConvertible {
    var code: Int32
    var description: String { "refused with code \(code)" }
}

/// Request builders for tests.
enum Op {
    static func create(
        _ path: String, _ data: String? = "", mode: CreateMode = .persistent, acl: [ACL] = ACL.openUnsafe
    ) -> ClientRequest {
        .create(
            CreateRequest(path: path, data: data.map { Array($0.utf8) }, acl: acl, flags: mode.rawValue),
            opCode: .create)
    }

    static func create2(_ path: String, mode: CreateMode = .persistent) -> ClientRequest {
        .create(CreateRequest(path: path, data: [], acl: ACL.openUnsafe, flags: mode.rawValue), opCode: .create2)
    }

    static func createFlags(_ path: String, flags: Int32) -> ClientRequest {
        .create(CreateRequest(path: path, data: [], acl: ACL.openUnsafe, flags: flags), opCode: .create)
    }

    static func container(_ path: String) -> ClientRequest {
        .create(CreateRequest(path: path, data: nil, acl: ACL.openUnsafe, flags: 4), opCode: .createContainer)
    }

    static func createTTL(_ path: String, ttl: Int64, mode: CreateMode = .persistentWithTTL) -> ClientRequest {
        .createTTL(CreateTTLRequest(path: path, data: [1], acl: ACL.openUnsafe, flags: mode.rawValue, ttl: ttl))
    }

    static func delete(_ path: String, version: Int32 = -1) -> ClientRequest {
        .delete(DeleteRequest(path: path, version: version))
    }

    static func setData(_ path: String, _ data: String = "x", version: Int32 = -1) -> ClientRequest {
        .setData(SetDataRequest(path: path, data: Array(data.utf8), version: version))
    }

    static func setACL(_ path: String, _ acl: [ACL], version: Int32 = -1) -> ClientRequest {
        .setACL(SetACLRequest(path: path, acl: acl, version: version))
    }

    static func check(_ path: String, version: Int32) -> ClientRequest {
        .check(CheckVersionRequest(path: path, version: version))
    }

    static func multi(_ operations: [MultiOperation]) -> ClientRequest { .multi(MultiRequest(operations: operations)) }

    static func exists(_ path: String, watch: Bool = false) -> ClientRequest {
        .exists(PathWatchRequest(path: path, watch: watch))
    }

    static func getData(_ path: String, watch: Bool = false) -> ClientRequest {
        .getData(PathWatchRequest(path: path, watch: watch))
    }

    static func getChildren(_ path: String, watch: Bool = false) -> ClientRequest {
        .getChildren(PathWatchRequest(path: path, watch: watch))
    }

    static func addWatch(_ path: String, _ mode: AddWatchMode) -> ClientRequest {
        .addWatch(PathTypeRequest(path: path, type: mode.rawValue))
    }
}

/// Sub-operations of multi.
enum MultiOp {
    static func create(_ path: String, mode: CreateMode = .persistent) -> MultiOperation {
        .create(CreateRequest(path: path, data: [], acl: ACL.openUnsafe, flags: mode.rawValue), opCode: .create)
    }

    static func delete(_ path: String, version: Int32 = -1) -> MultiOperation {
        .delete(DeleteRequest(path: path, version: version))
    }

    static func setData(_ path: String, _ data: String = "m", version: Int32 = -1) -> MultiOperation {
        .setData(SetDataRequest(path: path, data: Array(data.utf8), version: version))
    }

    static func check(_ path: String, version: Int32) -> MultiOperation {
        .check(CheckVersionRequest(path: path, version: version))
    }
}

extension ACL {
    static func readOnly(_ id: Id = .anyone) -> ACL { ACL(.read, id) }
}
