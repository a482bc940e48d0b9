import NIOCore

/// Where the driver hands a watch registration's events.
enum WatchSink {
    /// A one-shot watch: fulfilled by its one event, failed when the session ends first.
    case oneShot(EventLoopPromise<WatchEvent>)
    /// A persistent watch's stream.
    case persistent(AsyncThrowingStream<WatchEvent, any Error>.Continuation)
}
