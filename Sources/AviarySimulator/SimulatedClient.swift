import AviaryReplica
import AviaryWire

/// A ZooKeeper client as the simulation drives it: one session at a time, connected to one server at a time,
/// a few requests in flight with increasing xids, pings when idle, and a move to another server (with its
/// session id and password) whenever its connection breaks or goes quiet. It writes only its own nodes, so it
/// knows which values the ensemble may hold for them; what it sees is checked as it arrives.
struct SimulatedClient: Sendable {
    enum Phase: Sendable {
        /// Not connected; the next connection may start at this time.
        case idle(until: Int64)
        case connecting(link: ConnectionID, server: Int64)
        case connected(link: ConnectionID, server: Int64)
    }

    struct Session: Sendable {
        var id: Int64
        var passwd: [UInt8]
        var timeoutMillis: Int32
        /// The session's ephemeral node, and whether its create was acknowledged.
        var ephemeralPath: String
        var ephemeralCreated = false
        var ephemeralInFlight = false
        /// A closeSession was sent: if the session turns out gone, the client ended it, it did not expire.
        var closeRequested = false
    }

    /// One of the client's persistent nodes. Values are integers: the create writes 0, each setData one more.
    struct PathState: Sendable {
        var path: String
        var created = false
        var createInFlight = false
        /// The highest value sent in any write; the node can hold no higher one.
        var issued = -1
        /// The highest value a write was acknowledged with; the node can never again hold a lower one.
        var acknowledged = -1
    }

    enum Request: Sendable {
        case ping
        case create(Int)
        case setData(Int, value: Int)
        /// Of a node known to exist; `atLeast` is the value acknowledged when the read was sent.
        case getData(Int, atLeast: Int)
        case createEphemeral(String)
        case getEphemeral(String)
        case sync
        case closeSession
    }

    struct Outstanding: Sendable {
        var xid: Int32
        var request: Request
    }

    enum Action: Sendable {
        case connect(server: Int64, ConnectRequest)
        case send(RequestHeader, ClientRequest)
        /// The client drops this connection.
        case close(ConnectionID)
    }

    let index: Int
    let servers: [Int64]
    let options: ReplicaSimulationOptions
    var phase: Phase = .idle(until: 0)
    var session: Session?
    var sessionsStarted = 0
    var lastZxidSeen: Int64 = 0
    var nextXid: Int32 = 1
    var outstanding: [Outstanding] = []
    var lastHeardAt: Int64 = 0
    var lastSentAt: Int64 = 0
    var lastServer: Int64?
    var paths: [PathState]
    /// Ephemeral nodes whose create was acknowledged, with the session that owns them.
    var acknowledgedEphemerals: [(session: Int64, path: String)] = []
    var workloadEnabled = true
    /// The last time a request other than a ping was answered without error.
    var lastSuccessAt: Int64?

    init(index: Int, servers: [Int64], options: ReplicaSimulationOptions) {
        self.index = index
        self.servers = servers
        self.options = options
        self.paths = (0..<options.pathsPerClient).map { PathState(path: "/c\(index)-\($0)") }
    }

    var link: ConnectionID? {
        switch phase {
        case .idle: nil
        case .connecting(let link, _), .connected(let link, _): link
        }
    }

    var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    var inFlightCount: Int { outstanding.count(where: { if case .ping = $0.request { false } else { true } }) }

    /// ZooKeeper's client: it pings after a third of the session timeout of silence and gives up on a server
    /// it has not heard from for two thirds.
    private var readTimeoutMillis: Int64 { Int64(session?.timeoutMillis ?? options.sessionTimeoutMillis) * 2 / 3 }
    private var pingIntervalMillis: Int64 { Int64(session?.timeoutMillis ?? options.sessionTimeoutMillis) / 3 }

    // MARK: - Timer

    /// Called often: (re)connects, gives up on a silent server, sends the next request or a ping.
    mutating func wake(now: Int64, random: inout SimulationRandom) -> [Action] {
        switch phase {
        case .idle(let until):
            guard now >= until else { return [] }
            let connect = connect(now: now, random: &random)
            // Like ZooKeeper's Java client, which sends what it queued (setWatches, auth, requests made while
            // disconnected) right behind the ConnectRequest, without waiting for the response.
            guard workloadEnabled, random.chance(0.5), let index = paths.indices.first(where: { paths[$0].created }) else {
                return [connect]
            }
            return [connect, send(.getData(index, atLeast: paths[index].acknowledged), now: now)]
        case .connecting(let link, _):
            if now - lastHeardAt > readTimeoutMillis {
                dropConnection(now: now, random: &random)
                return [.close(link)]
            }
            return []
        case .connected(let link, _):
            if now - lastHeardAt > readTimeoutMillis {
                dropConnection(now: now, random: &random)
                return [.close(link)]
            }
            if workloadEnabled, inFlightCount < options.clientInFlightMax, let request = nextRequest(random: &random) {
                return [send(request, now: now)]
            }
            if now - lastSentAt >= pingIntervalMillis {
                return [send(.ping, now: now)]
            }
            return []
        }
    }

    private mutating func connect(now: Int64, random: inout SimulationRandom) -> Action {
        let others = servers.filter { $0 != lastServer }
        let server = (others.isEmpty ? servers : others).randomElement(using: &random)!
        lastServer = server
        lastHeardAt = now
        let request = ConnectRequest(
            lastZxidSeen: lastZxidSeen, timeOutMillis: session?.timeoutMillis ?? options.sessionTimeoutMillis,
            sessionId: session?.id ?? 0, passwd: session?.passwd ?? [UInt8](repeating: 0, count: 16))
        return .connect(server: server, request)
    }

    /// The simulation opened the connection the last `connect` asked for.
    mutating func opened(link: ConnectionID, server: Int64, now: Int64) {
        phase = .connecting(link: link, server: server)
        lastHeardAt = now
    }

    /// The connection failed, closed or was given up: whatever was in flight may or may not have happened.
    mutating func dropConnection(now: Int64, random: inout SimulationRandom) {
        phase = .idle(until: now + random.between(20...200))
        for entry in outstanding {
            switch entry.request {
            case .create(let index): paths[index].createInFlight = false
            case .createEphemeral: session?.ephemeralInFlight = false
            default: break
            }
        }
        outstanding.removeAll()
    }

    // MARK: - Requests

    private mutating func nextRequest(random: inout SimulationRandom) -> Request? {
        guard let session else { return nil }
        let roll = random.between(0...99)
        if roll == 0 && outstanding.isEmpty {
            return .closeSession
        }
        if !session.ephemeralCreated && !session.ephemeralInFlight {
            return .createEphemeral(session.ephemeralPath)
        }
        let index = Int(random.between(0...Int64(paths.count - 1)))
        let path = paths[index]
        if !path.created {
            return path.createInFlight ? nil : .create(index)
        }
        switch roll {
        case 1...45: return .setData(index, value: path.issued + 1)
        case 46...80: return .getData(index, atLeast: path.acknowledged)
        case 81...90: return session.ephemeralCreated ? .getEphemeral(session.ephemeralPath) : .sync
        default: return .sync
        }
    }

    private mutating func send(_ request: Request, now: Int64) -> Action {
        let xid: Int32
        if case .ping = request {
            xid = SpecialXid.ping
        } else {
            xid = nextXid
            nextXid += 1
        }
        outstanding.append(Outstanding(xid: xid, request: request))
        lastSentAt = now
        let body: ClientRequest
        switch request {
        case .ping:
            body = .ping
        case .create(let index):
            paths[index].createInFlight = true
            paths[index].issued = max(paths[index].issued, 0)
            body = .create(
                CreateRequest(
                    path: paths[index].path, data: Self.encode(0), acl: ACL.openUnsafe, flags: CreateMode.persistent.rawValue),
                opCode: .create)
        case .setData(let index, let value):
            paths[index].issued = max(paths[index].issued, value)
            body = .setData(SetDataRequest(path: paths[index].path, data: Self.encode(value)))
        case .getData(let index, _):
            body = .getData(PathWatchRequest(path: paths[index].path))
        case .createEphemeral(let path):
            session?.ephemeralInFlight = true
            body = .create(
                CreateRequest(path: path, data: Self.encode(0), acl: ACL.openUnsafe, flags: CreateMode.ephemeral.rawValue),
                opCode: .create)
        case .getEphemeral(let path):
            body = .getData(PathWatchRequest(path: path))
        case .sync:
            body = .sync(PathRequest(path: "/"))
        case .closeSession:
            session?.closeRequested = true
            body = .closeSession
        }
        return .send(RequestHeader(xid: xid, opCode: body.opCode), body)
    }

    static func encode(_ value: Int) -> [UInt8] { Array(String(value).utf8) }

    static func decode(_ data: [UInt8]?) -> Int? {
        data.flatMap { Int(String(decoding: $0, as: UTF8.self)) }
    }
}
