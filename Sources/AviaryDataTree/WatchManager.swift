import AviaryWire

/// Who receives watch events: one client connection. Watches belong to connections, not sessions, so a client
/// that reconnects re-registers them (setWatches), as with ZooKeeper.
public typealias WatcherID = UInt64

/// How a watch was set.
public enum WatchMode: Sendable, Hashable {
    /// Removed when it fires.
    case standard
    /// Stays after firing (addWatch PERSISTENT).
    case persistent
    /// Stays, and also fires for every descendant (addWatch PERSISTENT_RECURSIVE).
    case persistentRecursive
}

/// One table of watches (ZooKeeper keeps two: data watches and child watches).
///
/// As in ZooKeeper 3.8, a watcher holds at most one mode per path: setting a watch again replaces the mode.
public struct WatchManager: Sendable {
    private struct Key: Hashable {
        var watcher: WatcherID
        var path: PathKey
    }

    private var watchersByPath: [PathKey: Set<WatcherID>] = [:]
    private var pathsByWatcher: [WatcherID: Set<PathKey>] = [:]
    private var modes: [Key: WatchMode] = [:]
    private var recursiveCount = 0

    public init() {}

    public mutating func add(path: String, watcher: WatcherID, mode: WatchMode = .standard) {
        let path = PathKey(path)
        watchersByPath[path, default: []].insert(watcher)
        pathsByWatcher[watcher, default: []].insert(path)
        let key = Key(watcher: watcher, path: path)
        let old = modes.updateValue(mode, forKey: key)
        if old == .persistentRecursive { recursiveCount -= 1 }
        if mode == .persistentRecursive { recursiveCount += 1 }
    }

    public func isWatched(path: String) -> Bool {
        watchersByPath[PathKey(path)]?.isEmpty == false
    }

    public func contains(path: String, watcher: WatcherID) -> Bool {
        pathsByWatcher[watcher]?.contains(PathKey(path)) ?? false
    }

    @discardableResult
    public mutating func remove(path: String, watcher: WatcherID) -> Bool {
        remove(PathKey(path), watcher: watcher)
    }

    @discardableResult
    private mutating func remove(_ path: PathKey, watcher: WatcherID) -> Bool {
        guard pathsByWatcher[watcher]?.remove(path) != nil else { return false }
        if pathsByWatcher[watcher]?.isEmpty == true { pathsByWatcher[watcher] = nil }
        watchersByPath[path]?.remove(watcher)
        if watchersByPath[path]?.isEmpty == true { watchersByPath[path] = nil }
        if modes.removeValue(forKey: Key(watcher: watcher, path: path)) == .persistentRecursive { recursiveCount -= 1 }
        return true
    }

    /// Drops every watch of a connection that went away.
    public mutating func removeWatcher(_ watcher: WatcherID) {
        guard let paths = pathsByWatcher[watcher] else { return }
        for path in paths {
            remove(path, watcher: watcher)
        }
    }

    /// The watchers to notify of `type` at `path`, sorted by id, with one-shot watches consumed. Recursive
    /// watches on ancestors fire for every event but NodeChildrenChanged.
    public mutating func trigger(path: String, type: WatchEventType) -> [WatcherID] {
        var notified: Set<WatcherID> = []
        var current: String? = path
        var atParent = false
        while let localPath = current {
            let key = PathKey(localPath)
            if let watchers = watchersByPath[key] {
                for watcher in watchers {
                    let mode = modes[Key(watcher: watcher, path: key)] ?? .standard
                    switch mode {
                    case .persistentRecursive:
                        if type != .nodeChildrenChanged { notified.insert(watcher) }
                    case .persistent:
                        if !atParent { notified.insert(watcher) }
                    case .standard:
                        if !atParent {
                            notified.insert(watcher)
                            remove(key, watcher: watcher)
                        }
                    }
                }
            }
            guard recursiveCount > 0, localPath != "/" else { break }
            current = PathRules.parent(of: localPath)
            atParent = true
        }
        return notified.sorted()
    }

    public var watchCount: Int { modes.count }
    public var pathCount: Int { watchersByPath.count }
    public var watcherCount: Int { pathsByWatcher.count }

    /// path → watchers, for the wchp four-letter word.
    public func watchersByPathSorted() -> [(path: String, watchers: [WatcherID])] {
        watchersByPath.map { (path: $0.key.path, watchers: $0.value.sorted()) }.sorted { $0.path < $1.path }
    }

    /// watcher → paths, for the wchc four-letter word.
    public func pathsByWatcherSorted() -> [(watcher: WatcherID, paths: [String])] {
        pathsByWatcher.keys.sorted().map { ($0, pathsByWatcher[$0]!.map(\.path).sorted()) }
    }
}
