import AviaryDataTree
import AviaryWire
import DequeModule

/// Work of one connection waiting its turn: replies leave in request order (ZooKeeper's per-session FIFO),
/// so a read that arrives after a write is answered only once that write is applied.
enum QueuedWork: Sendable {
    /// A transaction in flight; its reply goes out when it is applied.
    case write(zxid: Int64)
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
}

/// Where an in-flight transaction came from, so its result can be routed when it applies.
enum TxnOrigin: Sendable {
    case request(ConnectionID, xid: Int32, opCode: OpCode)
    case connect(ConnectionID, ConnectResponse)
    /// A session expiry or a container reaping the server itself decided: nobody waits for a reply.
    case server
}

struct InFlightTxn: Sendable {
    var txn: Txn
    var origin: TxnOrigin
}
