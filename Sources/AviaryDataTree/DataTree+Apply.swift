import AviaryWire

/// What applying one transaction produced (ZooKeeper's ProcessTxnResult).
public struct ApplyResult: Sendable, Hashable {
    public var zxid: Int64
    public var opCode: OpCode
    public var error: KeeperError?
    /// For an error sub-result of multi: the raw code, which may be 0 (ops before the failing one).
    public var errorCode: Int32
    public var path: String?
    public var stat: Stat?
    public var multiResults: [ApplyResult]

    init(zxid: Int64, opCode: OpCode) {
        self.zxid = zxid
        self.opCode = opCode
        self.errorCode = 0
        self.multiResults = []
    }
}

extension DataTree {
    /// Applies a committed transaction. Watch events fire into `notifications` in the order ZooKeeper fires them.
    public mutating func apply(_ txn: Txn, notifications: inout [WatchNotification]) -> ApplyResult {
        let result = apply(header: txn.header, body: txn.body, notifications: &notifications)
        if txn.header.zxid > lastProcessedZxid { lastProcessedZxid = txn.header.zxid }
        return result
    }

    mutating func apply(header: TxnHeader, body: TxnBody, notifications: inout [WatchNotification]) -> ApplyResult {
        let zxid = header.zxid
        var result = ApplyResult(zxid: zxid, opCode: body.opCode)
        func fail(_ error: KeeperError) {
            result.error = error
            result.errorCode = error.rawValue
        }
        switch body {
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion, _):
            let owner = ephemeral ? header.clientId : 0
            do {
                result.stat = try createNode(
                    path: path, data: data, acl: acl, ephemeralOwner: owner, parentCVersion: parentCVersion,
                    zxid: zxid, time: header.time, notifications: &notifications)
                result.path = path
            } catch { fail(error) }
        case .createContainer(let path, let data, let acl, let parentCVersion):
            do {
                result.stat = try createNode(
                    path: path, data: data, acl: acl, ephemeralOwner: EphemeralOwner.container,
                    parentCVersion: parentCVersion, zxid: zxid, time: header.time, notifications: &notifications)
                result.path = path
            } catch { fail(error) }
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            do {
                result.stat = try createNode(
                    path: path, data: data, acl: acl, ephemeralOwner: EphemeralOwner.ttl(millis: ttl),
                    parentCVersion: parentCVersion, zxid: zxid, time: header.time, notifications: &notifications)
                result.path = path
            } catch { fail(error) }
        case .delete(let path, _):
            result.path = path
            do { try deleteNode(path: path, zxid: zxid, notifications: &notifications) } catch { fail(error) }
        case .setData(let path, let data, let version, _):
            result.path = path
            do {
                result.stat = try setData(
                    path: path, data: data, version: version, zxid: zxid, time: header.time,
                    notifications: &notifications)
            } catch { fail(error) }
        case .setACL(let path, let acl, let version):
            result.path = path
            do { result.stat = try setACL(path: path, acl: acl, version: version) } catch { fail(error) }
        case .check(let path, _):
            result.path = path
        case .createSession:
            break
        case .closeSession(let paths):
            killSession(header.clientId, zxid: zxid, paths: paths, notifications: &notifications)
        case .error(let code):
            result.errorCode = code
            result.error = KeeperError(rawValue: code)
        case .multi(let bodies):
            let failed = bodies.contains { $0.opCode == .error }
            var afterFailure = false
            for sub in bodies {
                var subBody = sub
                if sub.opCode == .error { afterFailure = true }
                if failed && sub.opCode != .error {
                    // A failed multi is logged with the real txns before the failure; none of them applies.
                    subBody = .error(afterFailure ? KeeperError.runtimeInconsistency.rawValue : 0)
                }
                var subHeader = header
                subHeader.type = subBody.opCode.rawValue
                let subResult = apply(header: subHeader, body: subBody, notifications: &notifications)
                if subResult.errorCode != 0 && result.errorCode == 0 {
                    result.errorCode = subResult.errorCode
                    result.error = subResult.error
                }
                result.multiResults.append(subResult)
            }
        }
        return result
    }

    mutating func createNode(
        path: String, data: [UInt8]?, acl: [ACL], ephemeralOwner: Int64, parentCVersion: Int32, zxid: Int64,
        time: Int64, notifications: inout [WatchNotification]
    ) throws(KeeperError) -> Stat {
        guard let (parentOrNil, name) = store.parentAndName(of: path), let parent = parentOrNil else { throw .noNode }
        // "/" cuts into the root and an empty name: that is the root itself, which exists.
        if parent == NodeStore.root && name.isEmpty { throw .nodeExists }
        let record = NodeRecord(
            name: String(name), parent: parent, aclReference: ACLCache.openUnsafeReference,
            stat: ZNode.newStat(zxid: zxid, time: time, ephemeralOwner: ephemeralOwner))
        guard let node = store.add(record, data: data) else { throw .nodeExists }
        store[node].aclReference = aclCache.reference(for: acl)
        var newCVersion = parentCVersion
        if newCVersion == -1 { newCVersion = store[parent].cversion + 1 }
        // A txn replayed over a fuzzy snapshot may carry an older cversion than the node already has.
        if newCVersion > store[parent].cversion {
            store[parent].cversion = newCVersion
            store[parent].pzxid = zxid
        }
        approximateDataSize += path.utf8.count + (data?.count ?? 0)
        if EphemeralOwner.isContainer(ephemeralOwner) {
            containers.insert(PathKey(path))
        } else if EphemeralOwner.isTTL(ephemeralOwner) {
            ttlNodes.insert(PathKey(path))
        } else if ephemeralOwner != 0 {
            ephemeralsBySession[ephemeralOwner, default: JavaStringHashSet()].insert(path)
        }
        let parentPath = PathRules.parent(of: path)!
        fire(dataWatches.trigger(path: path, type: .nodeCreated), .nodeCreated, path, zxid, acl, &notifications)
        fire(
            childWatches.trigger(path: parentPath, type: .nodeChildrenChanged), .nodeChildrenChanged, parentPath, zxid,
            aclList(parent), &notifications)
        return clientStat(node)
    }

    mutating func deleteNode(path: String, zxid: Int64, notifications: inout [WatchNotification]) throws(KeeperError) {
        guard let (parentOrNil, name) = store.parentAndName(of: path), let parent = parentOrNil else { throw .noNode }
        let found = store.child(named: name, of: parent)
        // The parent's pzxid moves even when the child is already gone, as in ZooKeeper.
        if zxid > store[parent].pzxid { store[parent].pzxid = zxid }
        guard let node = found else { throw .noNode }
        let nodeACL = aclList(node)
        removeDescendants(of: node, path: path)
        remove(node, path: path)
        let deletedFor = dataWatches.trigger(path: path, type: .nodeDeleted)
        fire(deletedFor, .nodeDeleted, path, zxid, nodeACL, &notifications)
        let alreadyTold = Set(deletedFor)
        let childWatchers = childWatches.trigger(path: path, type: .nodeDeleted).filter { !alreadyTold.contains($0) }
        fire(childWatchers, .nodeDeleted, path, zxid, nodeACL, &notifications)
        let parentPath = PathRules.parent(of: path)!
        fire(
            childWatches.trigger(path: parentPath, type: .nodeChildrenChanged), .nodeChildrenChanged, parentPath, zxid,
            aclList(parent), &notifications)
    }

    /// Only recovery meets a delete of a node with children: a fuzzy snapshot may hold a child created after the
    /// delete that the log replays. ZooKeeper leaves such children in its path table, unreachable from the root,
    /// until a later create replaces them; here they go with their parent, silently, which ends in the same tree
    /// once the rest of the log is replayed.
    private mutating func removeDescendants(of node: NodeID, path: String) {
        guard store[node].childCount > 0 else { return }
        var walk = PreOrderWalk(store, from: node, path: path)
        var descendants: [(node: NodeID, path: String)] = []
        _ = walk.next()  // the node itself
        while let next = walk.next() {
            descendants.append((next, String(decoding: walk.path, as: UTF8.self)))
        }
        // Children before their parents, so each is a leaf when it goes.
        for (descendant, descendantPath) in descendants.reversed() {
            remove(descendant, path: descendantPath)
        }
    }

    /// Removes a leaf, and drops it from the ACL table and the indexes.
    private mutating func remove(_ node: NodeID, path: String) {
        let record = store[node]
        aclCache.release(record.aclReference)
        approximateDataSize -= path.utf8.count + max(0, store.dataLength(of: node))
        store.removeLeaf(node)
        let owner = record.ephemeralOwner
        if EphemeralOwner.isContainer(owner) {
            containers.remove(PathKey(path))
        } else if EphemeralOwner.isTTL(owner) {
            ttlNodes.remove(PathKey(path))
        } else if owner != 0 {
            // The set outlives its last element, as in ZooKeeper: its capacity shapes later iteration order.
            ephemeralsBySession[owner]?.remove(path)
        }
    }

    mutating func setData(
        path: String, data: [UInt8]?, version: Int32, zxid: Int64, time: Int64,
        notifications: inout [WatchNotification]
    ) throws(KeeperError) -> Stat {
        guard let node = storedNode(at: path) else { throw .noNode }
        approximateDataSize += (data?.count ?? 0) - max(0, store.dataLength(of: node))
        store.setData(data, of: node)
        store[node].mtime = time
        store[node].mzxid = zxid
        store[node].version = version
        fire(
            dataWatches.trigger(path: path, type: .nodeDataChanged), .nodeDataChanged, path, zxid, aclList(node),
            &notifications)
        return clientStat(node)
    }

    mutating func setACL(path: String, acl: [ACL], version: Int32) throws(KeeperError) -> Stat {
        guard let node = storedNode(at: path) else { throw .noNode }
        aclCache.release(store[node].aclReference)
        store[node].aversion = version
        store[node].aclReference = aclCache.reference(for: acl)
        return clientStat(node)
    }

    mutating func killSession(_ sessionId: Int64, zxid: Int64, paths: [String]?, notifications: inout [WatchNotification]) {
        var local = ephemeralsBySession.removeValue(forKey: sessionId) ?? JavaStringHashSet()
        for path in paths ?? [] {
            local.remove(path)
            try? deleteNode(path: path, zxid: zxid, notifications: &notifications)
        }
        // Ephemerals the txn did not list (an older txn format) are still this session's to remove.
        for path in local.elementsInJavaOrder {
            try? deleteNode(path: path, zxid: zxid, notifications: &notifications)
        }
        ephemeralsBySession[sessionId] = nil
    }

    private func fire(
        _ watchers: [WatcherID], _ type: WatchEventType, _ path: String, _ zxid: Int64, _ acl: [ACL],
        _ notifications: inout [WatchNotification]
    ) {
        for watcher in watchers {
            notifications.append(
                WatchNotification(watcher: watcher, event: WatcherEvent(type: type, path: path), zxid: zxid, acl: acl))
        }
    }
}
