import AviaryWire

/// A persistent or persistent-recursive watch (`addWatch`), as an `AsyncSequence` of its events.
///
/// Unlike one-shot watches it stays armed after each event. `PERSISTENT` reports every change to the node
/// itself (data, children, creation, deletion); `PERSISTENT_RECURSIVE` reports creation, deletion and data
/// changes of the node and every descendant, never `nodeChildrenChanged`.
///
/// State events (type `.none`) mark disconnections (`.disconnected`) and reconnections (`.syncConnected`);
/// events during the gap are not replayed by the server, so re-read after a reconnect if that matters.
///
/// The sequence ends normally after `removeWatches` or `close()`, and throws `ZooKeeperError` when the
/// session expires or when the consumer falls more than `Configuration.watchEventBufferMax` events behind.
/// Stopping iteration (or dropping the sequence) removes the watch.
///
/// Iterate it from one task only, as with any `AsyncStream`.
public struct PersistentWatch: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    public typealias AsyncIterator = AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator

    let stream: AsyncThrowingStream<WatchEvent, any Error>

    /// The watched path as the caller named it.
    public let path: String
    public let mode: AddWatchMode

    init(stream: AsyncThrowingStream<WatchEvent, any Error>, path: String, mode: AddWatchMode) {
        self.stream = stream
        self.path = path
        self.mode = mode
    }

    public func makeAsyncIterator() -> AsyncIterator {
        stream.makeAsyncIterator()
    }
}
