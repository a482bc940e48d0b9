import AviaryWire
import NIOCore

extension ZooKeeperClient {
    /// Reads a node and leaves a one-shot watch that fires on its next data change or deletion.
    /// - Throws: `noNode` (no watch is left then; use `watchExists` to wait for creation), `noAuth`.
    public func watchData(_ path: String) async throws(ZooKeeperError) -> Watched<NodeData> {
        let target = try serverPath(path)
        let (sink, watch) = oneShot(path)
        let request = ClientRequest.getData(PathWatchRequest(path: target, watch: true))
        guard case .getData(let data, let stat) = try await call(request, path: path, watch: (.register(.data), target, sink))
        else { throw unexpectedReply(path) }
        return Watched(value: NodeData(data: data ?? [], stat: stat), watch: watch)
    }

    /// Reads a node's Stat (nil if missing) and leaves a one-shot watch that fires when it is created,
    /// changed or deleted.
    public func watchExists(_ path: String) async throws(ZooKeeperError) -> Watched<Stat?> {
        let target = try serverPath(path)
        let (sink, watch) = oneShot(path)
        let request = ClientRequest.exists(PathWatchRequest(path: target, watch: true))
        do throws(ZooKeeperError) {
            guard case .stat(let stat) = try await call(request, path: path, watch: (.exists, target, sink)) else {
                throw unexpectedReply(path)
            }
            return Watched(value: stat, watch: watch)
        } catch where error.code == .noNode {
            return Watched(value: nil, watch: watch)
        }
    }

    /// Reads a node's children and leaves a one-shot watch that fires when a child is added or removed, or
    /// the node is deleted. - Throws: `noNode`, `noAuth`.
    public func watchChildren(_ path: String) async throws(ZooKeeperError) -> Watched<[String]> {
        let target = try serverPath(path)
        let (sink, watch) = oneShot(path)
        let request = ClientRequest.getChildren(PathWatchRequest(path: target, watch: true))
        guard case .getChildren(let children) = try await call(request, path: path, watch: (.register(.child), target, sink))
        else { throw unexpectedReply(path) }
        return Watched(value: children, watch: watch)
    }

    /// Sets a persistent (`.persistent`) or persistent-recursive (`.persistentRecursive`) watch on `path`,
    /// which need not exist, and returns its events as an `AsyncSequence` (ZooKeeper 3.6+).
    public func addWatch(_ path: String, mode: AddWatchMode) async throws(ZooKeeperError) -> PersistentWatch {
        let target = try serverPath(path)
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WatchEvent.self, bufferingPolicy: .bufferingOldest(watchEventBufferMax))
        let kind: WatchKind = mode == .persistent ? .persistent : .persistentRecursive
        let request = ClientRequest.addWatch(PathTypeRequest(path: target, type: mode.rawValue))
        _ = try await call(request, path: path, watch: (.register(kind), target, .persistent(continuation)))
        return PersistentWatch(stream: stream, path: path, mode: mode)
    }

    /// Removes this client's watches of `type` on `path`; each removed one-shot watch fires with
    /// `dataWatchRemoved` or `childWatchRemoved`, each persistent watch's sequence ends.
    ///
    /// `.persistent` and `.persistentRecursive` remove only those registrations; because servers before 3.9
    /// cannot remove a watch by those types, the server's watch goes only when nothing else of this client
    /// watches the path. - Throws: `noWatcher` when there was none.
    public func removeWatches(_ path: String, type: WatcherType = .any) async throws(ZooKeeperError) {
        let target = try serverPath(path)
        let promise = eventLoop.makePromise(of: ResponseBody.self)
        let driver = self.driver
        eventLoop.execute { driver.value.removeWatches(serverPath: target, type: type, promise: promise) }
        _ = try await reply(promise.futureResult, path: path)
    }

    private func oneShot(_ path: String) -> (WatchSink, OneShotWatch) {
        let promise = eventLoop.makePromise(of: WatchEvent.self)
        return (.oneShot(promise), OneShotWatch(future: promise.futureResult, path: path))
    }
}
