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
        guard let parentPath = PathRules.parent(of: path), let parentStat = nodes[parentPath]?.stat else {
            throw .noNode
        }
        let childName = PathRules.childName(of: path)
        // The parent is changed in place: copying it out would copy its child set on every create.
        guard nodes[parentPath]!.children.insert(childName).inserted else { throw .nodeExists }
        var newCVersion = parentCVersion
        if newCVersion == -1 { newCVersion = parentStat.cversion + 1 }
        // A txn replayed over a fuzzy snapshot may carry an older cversion than the node already has.
        if newCVersion > parentStat.cversion {
            nodes[parentPath]!.stat.cversion = newCVersion
            nodes[parentPath]!.stat.pzxid = zxid
        }
        let node = ZNode(
            data: data, aclReference: aclCache.reference(for: acl),
            stat: ZNode.newStat(zxid: zxid, time: time, ephemeralOwner: ephemeralOwner))
        nodes[path] = node
        approximateDataSize += path.utf8.count + (data?.count ?? 0)
        if EphemeralOwner.isContainer(ephemeralOwner) {
            containers.insert(path)
        } else if EphemeralOwner.isTTL(ephemeralOwner) {
            ttlNodes.insert(path)
        } else if ephemeralOwner != 0 {
            ephemeralsBySession[ephemeralOwner, default: JavaStringHashSet()].insert(path)
        }
        fire(dataWatches.trigger(path: path, type: .nodeCreated), .nodeCreated, path, zxid, acl, &notifications)
        fire(
            childWatches.trigger(path: parentPath, type: .nodeChildrenChanged), .nodeChildrenChanged, parentPath, zxid,
            self.acl(of: nodes[parentPath]!), &notifications)
        return node.clientStat
    }

    mutating func deleteNode(path: String, zxid: Int64, notifications: inout [WatchNotification]) throws(KeeperError) {
        guard let parentPath = PathRules.parent(of: path), nodes[parentPath] != nil else { throw .noNode }
        let childName = PathRules.childName(of: path)
        nodes[parentPath]!.children.remove(childName)
        if zxid > nodes[parentPath]!.stat.pzxid { nodes[parentPath]!.stat.pzxid = zxid }
        guard let node = nodes.removeValue(forKey: path) else { throw .noNode }
        let nodeACL = acl(of: node)
        aclCache.release(node.aclReference)
        approximateDataSize -= path.utf8.count + (node.data?.count ?? 0)
        let owner = node.stat.ephemeralOwner
        if EphemeralOwner.isContainer(owner) {
            containers.remove(path)
        } else if EphemeralOwner.isTTL(owner) {
            ttlNodes.remove(path)
        } else if owner != 0 {
            // The set outlives its last element, as in ZooKeeper: its capacity shapes later iteration order.
            ephemeralsBySession[owner]?.remove(path)
        }
        let deletedFor = dataWatches.trigger(path: path, type: .nodeDeleted)
        fire(deletedFor, .nodeDeleted, path, zxid, nodeACL, &notifications)
        let alreadyTold = Set(deletedFor)
        let childWatchers = childWatches.trigger(path: path, type: .nodeDeleted).filter { !alreadyTold.contains($0) }
        fire(childWatchers, .nodeDeleted, path, zxid, nodeACL, &notifications)
        fire(
            childWatches.trigger(path: parentPath, type: .nodeChildrenChanged), .nodeChildrenChanged, parentPath, zxid,
            acl(of: nodes[parentPath]!), &notifications)
    }

    mutating func setData(
        path: String, data: [UInt8]?, version: Int32, zxid: Int64, time: Int64,
        notifications: inout [WatchNotification]
    ) throws(KeeperError) -> Stat {
        guard let oldSize = nodes[path]?.data?.count ?? (nodes[path] == nil ? nil : 0) else { throw .noNode }
        approximateDataSize += (data?.count ?? 0) - oldSize
        nodes[path]!.data = data
        nodes[path]!.stat.mtime = time
        nodes[path]!.stat.mzxid = zxid
        nodes[path]!.stat.version = version
        fire(
            dataWatches.trigger(path: path, type: .nodeDataChanged), .nodeDataChanged, path, zxid,
            acl(of: nodes[path]!), &notifications)
        return nodes[path]!.clientStat
    }

    mutating func setACL(path: String, acl: [ACL], version: Int32) throws(KeeperError) -> Stat {
        guard let oldReference = nodes[path]?.aclReference else { throw .noNode }
        aclCache.release(oldReference)
        nodes[path]!.stat.aversion = version
        nodes[path]!.aclReference = aclCache.reference(for: acl)
        return nodes[path]!.clientStat
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
