import AviaryWire

/// A watch that an event reaches. `isFinal` is true when the registration ends with this event (a one-shot
/// watch fired, or any watch removed), so the shell can release whatever waits on it.
struct WatchDelivery: Sendable, Hashable {
    var id: WatchID
    var isFinal: Bool
}

/// The client's watch tables: which registrations wait for events on which server path.
///
/// The server keeps one watch per (path, table) for the whole session; the client fans an event out to every
/// registration in the tables the event empties, following ZooKeeper's `ZKWatchManager.materialize`:
///
///     nodeCreated, nodeDataChanged   data[path], exist[path]
///     nodeChildrenChanged            child[path]
///     nodeDeleted                    data[path], exist[path], child[path]
///     every type                     persistent[path] (kept)
///     every type but children        persistentRecursive[path and each ancestor] (kept)
///
/// Paths are server paths (chroot included), as the server sends and `setWatches` expects them, keyed by their
/// bytes as ZooKeeper's Java client keys them (`PathKey`).
struct WatchRegistry: Sendable {
    private var tables: [[PathKey: [WatchID]]] = Array(repeating: [:], count: WatchKind.allCases.count)
    private var registrations: [WatchID: (kind: WatchKind, path: String)] = [:]

    var isEmpty: Bool { registrations.isEmpty }
    var count: Int { registrations.count }

    /// Persistent registrations in the order they were made (ids grow), for state events.
    var persistentIDs: [WatchID] {
        registrations.filter { $0.value.kind.isPersistent }.keys.sorted { $0.rawValue < $1.rawValue }
    }

    func registration(_ id: WatchID) -> (kind: WatchKind, path: String)? {
        registrations[id]
    }

    mutating func add(_ id: WatchID, kind: WatchKind, path: String) {
        precondition(registrations[id] == nil, "watch id registered twice")
        registrations[id] = (kind, path)
        tables[kind.rawValue][PathKey(path), default: []].append(id)
    }

    /// Forgets one registration; nil when it was already gone (fired or removed).
    @discardableResult
    mutating func remove(_ id: WatchID) -> (kind: WatchKind, path: String)? {
        guard let registration = registrations.removeValue(forKey: id) else { return nil }
        let table = registration.kind.rawValue
        let key = PathKey(registration.path)
        tables[table][key]?.removeAll { $0 == id }
        if tables[table][key]?.isEmpty == true {
            tables[table][key] = nil
        }
        return registration
    }

    /// Whether any registration of any kind remains on `path`.
    func isWatched(path: String) -> Bool {
        let key = PathKey(path)
        return tables.contains { $0[key] != nil }
    }

    /// The registrations `event` reaches; one-shot ones are consumed.
    mutating func deliveries(for type: WatchEventType, path: String) -> [WatchDelivery] {
        var consumed: [WatchKind] = []
        switch type {
        case .nodeCreated, .nodeDataChanged: consumed = [.data, .exist]
        case .nodeChildrenChanged: consumed = [.child]
        case .nodeDeleted: consumed = [.data, .exist, .child]
        default: break
        }
        var deliveries: [WatchDelivery] = []
        for kind in consumed {
            for id in take(kind, path: path) {
                deliveries.append(WatchDelivery(id: id, isFinal: true))
            }
        }
        guard type != .none else { return deliveries }
        for id in tables[WatchKind.persistent.rawValue][PathKey(path)] ?? [] {
            deliveries.append(WatchDelivery(id: id, isFinal: false))
        }
        if type != .nodeChildrenChanged {
            for ancestor in Self.selfAndAncestors(of: path) {
                for id in tables[WatchKind.persistentRecursive.rawValue][PathKey(ancestor)] ?? [] {
                    deliveries.append(WatchDelivery(id: id, isFinal: false))
                }
            }
        }
        return deliveries
    }

    /// Removes every registration of `kinds` on `path` (a successful `removeWatches`), in table order.
    mutating func removeAll(path: String, kinds: [WatchKind]) -> [(id: WatchID, kind: WatchKind)] {
        var removed: [(id: WatchID, kind: WatchKind)] = []
        for kind in kinds {
            for id in take(kind, path: path) {
                removed.append((id, kind))
            }
        }
        return removed
    }

    /// Empties the registry (the session ended); ids in registration order.
    mutating func removeEverything() -> [WatchID] {
        let ids = registrations.keys.sorted { $0.rawValue < $1.rawValue }
        registrations = [:]
        tables = Array(repeating: [:], count: WatchKind.allCases.count)
        return ids
    }

    /// The distinct paths of one table, sorted so the requests built from them are deterministic.
    func paths(of kind: WatchKind) -> [String] {
        tables[kind.rawValue].keys.map(\.path).sorted()
    }

    private mutating func take(_ kind: WatchKind, path: String) -> [WatchID] {
        guard let ids = tables[kind.rawValue].removeValue(forKey: PathKey(path)) else { return [] }
        for id in ids {
            registrations[id] = nil
        }
        return ids
    }

    /// "/a/b" → ["/a/b", "/a", "/"].
    static func selfAndAncestors(of path: String) -> [String] {
        var result = [path]
        var current = Substring(path)
        while current != "/", let slash = current.lastIndex(of: "/") {
            current = slash == current.startIndex ? "/" : current[..<slash]
            result.append(String(current))
        }
        return result
    }
}
