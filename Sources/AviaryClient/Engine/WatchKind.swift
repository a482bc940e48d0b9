import AviaryWire

/// The client-side watch tables, named as ZooKeeper's `ZKWatchManager` names them.
///
/// `exist` holds watches left by `exists` on a node that was missing; the server keeps those in its data table,
/// and `setWatches` sends them in their own list so the server can fire `nodeCreated` if the node appeared.
enum WatchKind: Int, Sendable, Hashable, CaseIterable {
    case data
    case exist
    case child
    case persistent
    case persistentRecursive

    var isPersistent: Bool { self == .persistent || self == .persistentRecursive }

    /// The event a watch of this kind gets when `removeWatches` takes it away.
    var removalEventType: WatchEventType {
        switch self {
        case .data, .exist: .dataWatchRemoved
        case .child: .childWatchRemoved
        case .persistent, .persistentRecursive: .persistentWatchRemoved
        }
    }

    /// Which tables a `removeWatches` of `type` empties.
    static func kinds(removedBy type: WatcherType) -> [WatchKind] {
        switch type {
        case .children: [.child]
        case .data: [.data, .exist]
        case .any: WatchKind.allCases
        case .persistent: [.persistent]
        case .persistentRecursive: [.persistentRecursive]
        }
    }
}
