import AviaryWire

/// Requests answered from the local tree (ZooKeeper's FinalRequestProcessor read branches), with ACL checks
/// and watch registration for the asking connection.
extension DataTree {
    public mutating func read(
        _ request: ClientRequest, sessionId: Int64, authInfo: [Id], watcher: WatcherID
    ) throws(KeeperError) -> ResponseBody {
        switch request {
        case .exists(let exists):
            if exists.path.utf8.contains(0) { throw .badArguments }
            if exists.watch { dataWatches.add(path: exists.path, watcher: watcher) }
            guard let node = store.node(at: exists.path) else { throw .noNode }
            return .stat(clientStat(node))
        case .getData(let get):
            let (data, stat) = try getData(get, authInfo: authInfo, watcher: watcher)
            return .getData(data: data, stat: stat)
        case .getChildren(let get):
            return .getChildren(children: try getChildren(get, authInfo: authInfo, watcher: watcher).children)
        case .getChildren2(let get):
            let (children, stat) = try getChildren(get, authInfo: authInfo, watcher: watcher)
            return .getChildren2(children: children, stat: stat)
        case .getACL(let get):
            guard let node = store.node(at: get.path) else { throw .noNode }
            let list = aclList(node)
            try AccessControl.check(list, [.read, .admin], authInfo: authInfo)
            if (try? AccessControl.check(list, .admin, authInfo: authInfo)) != nil {
                return .getACL(acl: list, stat: clientStat(node))
            }
            return .getACL(acl: AccessControl.masked(list), stat: clientStat(node))
        case .check(let check):
            guard let node = store.node(at: check.path) else { throw .noNode }
            try AccessControl.check(aclList(node), .read, authInfo: authInfo)
            _ = try Self.nextVersion(current: store[node].version, expected: check.version)
            return .empty
        case .getAllChildrenNumber(let get):
            guard let node = store.node(at: get.path) else { throw .noNode }
            try AccessControl.check(aclList(node), .read, authInfo: authInfo)
            return .getAllChildrenNumber(Int32(truncatingIfNeeded: descendantCount(of: get.path)))
        case .getEphemerals(let get):
            let prefix = get.path
            let all = ephemerals(of: sessionId)
            let trimmed = prefix.trimmingSpaces
            let matching = trimmed.isEmpty || trimmed == "/" ? all : all.filter { $0.hasPrefix(prefix) }
            return .getEphemerals(paths: matching)
        case .multiRead(let multi):
            // ZooKeeper's decoder refuses a multiRead holding anything but reads, before running any of it.
            for operation in multi.operations {
                switch operation {
                case .getData, .getChildren: continue
                default: throw .marshallingError
                }
            }
            return .multi(multiRead(multi, authInfo: authInfo, watcher: watcher))
        case .addWatch(let add):
            guard let mode = AddWatchMode(rawValue: add.type) else { throw .marshallingError }
            // Both tables take the mode, replacing whatever the connection had on this path (ZooKeeper 3.8).
            let watchMode: WatchMode = mode == .persistent ? .persistent : .persistentRecursive
            dataWatches.add(path: add.path, watcher: watcher, mode: watchMode)
            childWatches.add(path: add.path, watcher: watcher, mode: watchMode)
            return .error(0)
        case .checkWatches(let check):
            let type = try Self.watcherType(check.type)
            // ZooKeeper 3.8 answers checkWatches for any connection's watch on the path, not only the caller's.
            let found: Bool =
                switch type {
                case .children: childWatches.isWatched(path: check.path)
                case .data: dataWatches.isWatched(path: check.path)
                default: childWatches.isWatched(path: check.path) || dataWatches.isWatched(path: check.path)
                }
            if !found { throw .noWatcher }
            return .empty
        case .removeWatches(let remove):
            let type = try Self.watcherType(remove.type)
            var removed = false
            if type != .data, childWatches.remove(path: remove.path, watcher: watcher) { removed = true }
            if type != .children, dataWatches.remove(path: remove.path, watcher: watcher) { removed = true }
            if !removed { throw .noWatcher }
            return .empty
        default:
            throw .unimplemented
        }
    }

    /// ZooKeeper 3.8 knows watcher types 1–3 only; anything else fails to decode.
    static func watcherType(_ raw: Int32) throws(KeeperError) -> WatcherType {
        guard let type = WatcherType(rawValue: raw), type == .children || type == .data || type == .any else {
            throw .marshallingError
        }
        return type
    }

    private mutating func getData(
        _ request: PathWatchRequest, authInfo: [Id], watcher: WatcherID
    ) throws(KeeperError) -> ([UInt8]?, Stat) {
        guard let node = store.node(at: request.path) else { throw .noNode }
        try AccessControl.check(aclList(node), .read, authInfo: authInfo)
        if request.watch { dataWatches.add(path: request.path, watcher: watcher) }
        return (store.data(of: node), clientStat(node))
    }

    private mutating func getChildren(
        _ request: PathWatchRequest, authInfo: [Id], watcher: WatcherID
    ) throws(KeeperError) -> (children: [String], stat: Stat) {
        guard let node = store.node(at: request.path) else { throw .noNode }
        try AccessControl.check(aclList(node), .read, authInfo: authInfo)
        if request.watch { childWatches.add(path: request.path, watcher: watcher) }
        return (store.childrenSortedByName(of: node).map(\.name), clientStat(node))
    }

    /// multiRead: each op succeeds or fails on its own; nothing is atomic.
    private mutating func multiRead(_ request: MultiRequest, authInfo: [Id], watcher: WatcherID) -> [MultiResult] {
        request.operations.map { operation in
            do throws(KeeperError) {
                switch operation {
                case .getData(let get):
                    let (data, stat) = try getData(get, authInfo: authInfo, watcher: watcher)
                    return .getData(data: data, stat: stat)
                case .getChildren(let get):
                    return .getChildren(try getChildren(get, authInfo: authInfo, watcher: watcher).children)
                default:
                    return .error(KeeperError.badArguments.rawValue)
                }
            } catch {
                return .error(error.rawValue)
            }
        }
    }

    /// Re-arms a reconnecting client's watches; anything that changed after `relativeZxid` fires at once.
    public mutating func setWatches(
        _ request: SetWatchesRequest, watcher: WatcherID, zxid: Int64
    ) -> [WatchNotification] {
        var events: [WatchNotification] = []
        func fire(_ type: WatchEventType, _ path: String) {
            events.append(WatchNotification(watcher: watcher, event: WatcherEvent(type: type, path: path), zxid: zxid))
        }
        for path in request.dataWatches {
            if let node = store.node(at: path) {
                if store[node].mzxid > request.relativeZxid {
                    fire(.nodeDataChanged, path)
                } else {
                    dataWatches.add(path: path, watcher: watcher)
                }
            } else {
                fire(.nodeDeleted, path)
            }
        }
        for path in request.existWatches {
            if store.node(at: path) != nil {
                fire(.nodeCreated, path)
            } else {
                dataWatches.add(path: path, watcher: watcher)
            }
        }
        for path in request.childWatches {
            if let node = store.node(at: path) {
                if store[node].pzxid > request.relativeZxid {
                    fire(.nodeChildrenChanged, path)
                } else {
                    childWatches.add(path: path, watcher: watcher)
                }
            } else {
                fire(.nodeDeleted, path)
            }
        }
        for path in request.persistentWatches {
            childWatches.add(path: path, watcher: watcher, mode: .persistent)
            dataWatches.add(path: path, watcher: watcher, mode: .persistent)
        }
        for path in request.persistentRecursiveWatches {
            childWatches.add(path: path, watcher: watcher, mode: .persistentRecursive)
            dataWatches.add(path: path, watcher: watcher, mode: .persistentRecursive)
        }
        return events
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0.value > 0x20 }) else { return "" }
        let end = scalars.lastIndex(where: { $0.value > 0x20 })!
        return Substring(scalars[start...end])
    }
}
