import AviaryWire
import NIOCore

/// Why a session ended; each maps to the error pending and later calls fail with.
enum SessionEnd: Sendable, Hashable {
    case closed
    case expired
    case authFailed

    var state: SessionState {
        switch self {
        case .closed: .closed
        case .expired: .expired
        case .authFailed: .authFailed
        }
    }

    /// As kazoo does, a closed client answers like an expired one: the session cannot be used again.
    var errorCode: KeeperError {
        switch self {
        case .closed, .expired: .sessionExpired
        case .authFailed: .authFailed
        }
    }
}

/// A failed request: the server's code, and for multi the per-operation results that came with it.
struct RequestFailure: Error, Sendable, Hashable {
    var code: KeeperError
    var body: ResponseBody?

    init(_ code: KeeperError, body: ResponseBody? = nil) {
        self.code = code
        self.body = body
    }
}

/// What to do with a reply besides handing it to the caller.
enum ReplyEffect: Sendable, Hashable {
    case none
    /// A watch-setting read or addWatch: register the watch if the request succeeded.
    case register(WatchID, WatchKind, path: String)
    /// `exists` with a watch: a data watch if the node exists, an exist watch if it does not.
    case exists(WatchID, path: String)
    /// `removeWatches`: drop the client's registrations of these kinds once the server agrees.
    case removeWatches(path: String, kinds: [WatchKind])
    case closeSession
}

/// What the shell must do, in order, after feeding the state machine one input.
enum SessionAction: Sendable {
    /// Open a connection to server `serverIndex` of the list; report `transportConnected` or
    /// `transportFailed` for it.
    case connect(ConnectionID, serverIndex: Int, timeout: TimeAmount)
    /// Write these length-prefixed frames and flush.
    case send(ConnectionID, ByteBuffer)
    /// Close this connection; harmless if it is already closed or not yet open.
    case close(ConnectionID)
    /// Answer one caller.
    case complete(RequestID, Result<ResponseBody, RequestFailure>)
    /// Hand an event to these watch registrations (paths are server paths).
    case deliver(WatchEvent, [WatchDelivery])
    case sessionState(SessionState)
    /// The session ended: these registrations will never fire.
    case endWatches([WatchID], SessionEnd)
}
