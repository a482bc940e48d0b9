import AviaryWire

/// Every error `ZooKeeperClient` throws: a ZooKeeper result code, the path it concerns, and for a failed
/// `multi` the per-operation results that say which operation failed.
///
/// Codes the client produces itself: `connectionLoss` (the connection dropped before the reply; the request
/// may or may not have been applied), `sessionExpired` (the session ended, or the client was closed, as in
/// kazoo), `authFailed`, `badArguments` (a malformed path, connection string or over-long request),
/// `operationTimeout` (a wait with a deadline passed).
public struct ZooKeeperError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: KeeperError
    /// The path as the caller named it, when the error concerns one.
    public var path: String?
    /// For `multi`: one result per operation; the failed one is `.failed(code)`.
    public var results: [OpResult]
    /// A human-readable detail for errors raised by the client rather than the server.
    public var detail: String?

    public init(_ code: KeeperError, path: String? = nil, results: [OpResult] = [], detail: String? = nil) {
        self.code = code
        self.path = path
        self.results = results
        self.detail = detail
    }

    public var description: String {
        var text = "ZooKeeperError(\(code)"
        if let path { text += " \(path)" }
        if let detail { text += ": \(detail)" }
        return text + ")"
    }

    /// Whether the operation may succeed if retried on the same session after a reconnect.
    public var isRetryable: Bool {
        code == .connectionLoss || code == .operationTimeout
    }
}
