import AviaryClient

/// Watch events and session states in zkCli's words (Java's enum constant names), and Java's list syntax.
public enum EventText {
    /// `WatchedEvent state:SyncConnected type:NodeDataChanged path:/a`, as Java's `WatchedEvent.toString`.
    public static func event(_ event: WatchEvent) -> String {
        let path = event.type == .none && event.path.isEmpty ? "null" : event.path
        return "WatchedEvent state:\(stateName(event.state)) type:\(typeName(event.type)) path:\(path)"
    }

    /// The block zkCli prints for each event: a blank line, `WATCHER::`, a blank line, the event.
    public static func watcherBlock(_ watched: WatchEvent) -> String {
        "\nWATCHER::\n\n\(event(watched))\n"
    }

    public static func typeName(_ type: WatchEventType) -> String {
        switch type {
        case .none: "None"
        case .nodeCreated: "NodeCreated"
        case .nodeDeleted: "NodeDeleted"
        case .nodeDataChanged: "NodeDataChanged"
        case .nodeChildrenChanged: "NodeChildrenChanged"
        case .dataWatchRemoved: "DataWatchRemoved"
        case .childWatchRemoved: "ChildWatchRemoved"
        case .persistentWatchRemoved: "PersistentWatchRemoved"
        }
    }

    public static func stateName(_ state: KeeperState) -> String {
        switch state {
        case .unknown: "Unknown"
        case .disconnected: "Disconnected"
        case .noSyncConnected: "NoSyncConnected"
        case .syncConnected: "SyncConnected"
        case .authFailed: "AuthFailed"
        case .connectedReadOnly: "ConnectedReadOnly"
        case .saslAuthenticated: "SaslAuthenticated"
        case .expired: "Expired"
        case .closed: "Closed"
        }
    }

    /// The session state as zkCli's prompt shows it (`ZooKeeper.States`).
    public static func promptState(_ state: SessionState?) -> String {
        switch state {
        case .connecting?, .disconnected?: "CONNECTING"
        case .connected?: "CONNECTED"
        case .authFailed?: "AUTH_FAILED"
        case .expired?, .closed?, nil: "CLOSED"
        }
    }

    /// The event a session state change corresponds to, for printing; nil for states with none.
    public static func stateEvent(_ state: SessionState) -> WatchEvent? {
        let keeperState: KeeperState
        switch state {
        case .connected: keeperState = .syncConnected
        case .disconnected: keeperState = .disconnected
        case .expired: keeperState = .expired
        case .authFailed: keeperState = .authFailed
        case .closed: keeperState = .closed
        case .connecting: return nil
        }
        return WatchEvent(type: .none, state: keeperState, path: "")
    }

    /// Java's `List.toString()`: `[a, b, c]`.
    public static func list(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
