/// The client's view of its session, as `ZooKeeperClient.sessionStates()` reports it.
///
/// `connected` and `disconnected` alternate while the session lives; the last three end it for good.
public enum SessionState: Sendable, Hashable, CustomStringConvertible {
    /// Before the first session was established.
    case connecting
    /// A server holds the session and answers requests.
    case connected
    /// The connection was lost. The client is trying the servers of its list; the session, its ephemeral
    /// nodes and its watches survive if it reconnects within the session timeout.
    case disconnected
    /// A server reported the session gone (it was not heard from within its timeout). Ephemeral nodes are
    /// deleted and watches lost; a new client is needed.
    case expired
    /// `close()` ended the session.
    case closed
    /// The server refused credentials given to `addAuth`.
    case authFailed

    /// Whether the session is over and the client will not reconnect.
    public var isTerminal: Bool {
        switch self {
        case .expired, .closed, .authFailed: true
        case .connecting, .connected, .disconnected: false
        }
    }

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .disconnected: "disconnected"
        case .expired: "expired"
        case .closed: "closed"
        case .authFailed: "authFailed"
        }
    }
}
