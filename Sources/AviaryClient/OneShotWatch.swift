import NIOCore

/// A one-shot watch left by `watchData`, `watchExists` or `watchChildren`: it fires once, with the first
/// change the server reports for the node (or a `...WatchRemoved` event after `removeWatches`).
///
/// The watch survives reconnects: the client re-arms it on the new server, which fires it at once if the node
/// changed while the client was away. Awaiting is optional; a watch nobody awaits simply fires unseen.
public struct OneShotWatch: Sendable {
    let future: EventLoopFuture<WatchEvent>

    /// The node's path as the caller named it.
    public let path: String

    init(future: EventLoopFuture<WatchEvent>, path: String) {
        self.future = future
        self.path = path
    }

    /// Waits for the event. May be called any number of times, from any task; each call returns the same
    /// event.
    ///
    /// - Throws: `ZooKeeperError` with `sessionExpired` or `authFailed` when the session ends first (also
    ///   `sessionExpired` when the client is closed), `operationTimeout` when `timeout` passes first;
    ///   `CancellationError` when the waiting task is cancelled. Neither of the last two disarms the watch.
    public func event(timeout: Duration? = nil) async throws -> WatchEvent {
        try await future.valueCancellable(timeout: timeout.map(TimeAmount.init(duration:)))
    }
}

extension TimeAmount {
    init(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
