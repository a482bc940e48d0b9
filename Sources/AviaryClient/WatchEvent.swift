import AviaryWire

/// What a watch reports: a change to a node, or (type `.none`) a change of the session's connection.
///
/// Persistent watches also receive `.none` events with state `.disconnected` and `.syncConnected`: while the
/// client is disconnected the server cannot deliver events, and after a reconnect persistent watches are
/// re-armed without replaying what was missed, so a consumer that keeps a view should re-read after
/// `.syncConnected`.
public struct WatchEvent: Sendable, Hashable, CustomStringConvertible {
    public var type: WatchEventType
    public var state: KeeperState
    /// The node's path as the caller sees it (chroot removed); empty for state events.
    public var path: String
    /// The zxid of the transaction that fired the watch when the server reports it (ZooKeeper 3.9), else -1.
    public var zxid: Int64

    public init(type: WatchEventType, state: KeeperState = .syncConnected, path: String, zxid: Int64 = -1) {
        self.type = type
        self.state = state
        self.path = path
        self.zxid = zxid
    }

    public var description: String {
        type == .none ? "WatchEvent(\(state))" : "WatchEvent(\(type) \(path))"
    }
}
