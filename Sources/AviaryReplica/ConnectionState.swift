import AviaryDataTree
import AviaryWire
import DequeModule

/// Work of one connection waiting its turn: replies leave in request order (ZooKeeper's per-session FIFO),
/// so a read that arrives after a write is answered only once that write is applied.
enum QueuedWork: Sendable {
    /// A write on its way through the leader; answered when the txn with this session's `cxid` is applied,
    /// whichever server prepared it.
    case write(cxid: Int32, opCode: OpCode)
    /// The session's createSession txn; the connect response goes out when it is applied.
    case creatingSession(ConnectResponse)
    /// A `sync` forwarded to the leader; answered when the leader's SYNC comes back.
    case sync(RequestHeader, ClientRequest, authInfo: [Id])
    /// A request answered locally once everything before it has been answered.
    case local(RequestHeader, ClientRequest, authInfo: [Id])
    /// A read refused before it ran (it did not decode); answered with this error in its turn.
    case refusal(RequestHeader, KeeperError)
}

/// What the replica knows of one client connection.
struct ConnectionState: Sendable {
    var address: String
    var sessionId: Int64
    /// Identities for ACL checks: `ip:<address>` plus whatever auth packets added.
    var authInfo: [Id]
    var hasReadOnlyByte: Bool
    var queue: Deque<QueuedWork> = []
    /// Set once a closeSession was accepted: later requests are refused.
    var isClosing = false
    /// Requests that arrived while the leader was still confirming this reconnecting session, handled once it has.
    var awaitingSession: [(header: RequestHeader, request: ClientRequest, identity: AuthOutcome?)] = []
}
