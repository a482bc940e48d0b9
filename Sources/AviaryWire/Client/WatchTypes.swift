/// `Watcher.Event.EventType`.
public enum WatchEventType: Int32, Sendable, Hashable {
    case none = -1
    case nodeCreated = 1
    case nodeDeleted = 2
    case nodeDataChanged = 3
    case nodeChildrenChanged = 4
    case dataWatchRemoved = 5
    case childWatchRemoved = 6
    case persistentWatchRemoved = 7
}

/// `Watcher.Event.KeeperState`; notifications on the wire carry `syncConnected`.
public enum KeeperState: Int32, Sendable, Hashable {
    case unknown = -1
    case disconnected = 0
    case noSyncConnected = 1
    case syncConnected = 3
    case authFailed = 4
    case connectedReadOnly = 5
    case saslAuthenticated = 6
    case expired = -112
    case closed = 7
}

/// `Watcher.WatcherType`, used by checkWatches and removeWatches.
public enum WatcherType: Int32, Sendable, Hashable {
    case children = 1
    case data = 2
    case any = 3
    case persistent = 4
    case persistentRecursive = 5
}

/// `AddWatchMode`.
public enum AddWatchMode: Int32, Sendable, Hashable {
    case persistent = 0
    case persistentRecursive = 1
}
