import AviaryWire
import DequeModule

/// Who is asking, and the zxid and time the leader gave the request.
public struct PrepareContext: Sendable {
    public var sessionId: Int64
    public var zxid: Int64
    public var time: Int64
    public var authInfo: [Id]
    public var extendedTypesEnabled: Bool

    public init(sessionId: Int64, zxid: Int64, time: Int64, authInfo: [Id], extendedTypesEnabled: Bool) {
        self.sessionId = sessionId
        self.zxid = zxid
        self.time = time
        self.authInfo = authInfo
        self.extendedTypesEnabled = extendedTypesEnabled
    }
}

/// ZooKeeper's prep step: validate a write against the tree plus pending changes and turn it into a txn.
/// The checks run in ZooKeeper's order, so each failure yields the code ZooKeeper returns.
extension DataTree {
    public func prepare(
        _ request: ClientRequest, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        switch request {
        case .create(let create, let opCode):
            return try prepareCreate(
                opCode: opCode, path: create.path, data: create.data, acl: create.acl, flags: create.flags, ttl: -1,
                context: context, pending: &pending)
        case .createTTL(let create):
            return try prepareCreate(
                opCode: .createTTL, path: create.path, data: create.data, acl: create.acl, flags: create.flags,
                ttl: create.ttl, context: context, pending: &pending)
        case .delete(let delete):
            return try prepareDelete(delete, context: context, pending: &pending)
        case .setData(let set):
            return try prepareSetData(set, context: context, pending: &pending)
        case .setACL(let set):
            return try prepareSetACL(set, context: context, pending: &pending)
        case .check(let check):
            return try prepareCheck(check, context: context, pending: &pending)
        case .multi(let multi):
            // ZooKeeper's decoder refuses a multi holding a read, before preparing any of it.
            for operation in multi.operations {
                if case .getData = operation { throw .marshallingError }
                if case .getChildren = operation { throw .marshallingError }
            }
            return prepareMulti(multi, context: context, pending: &pending)
        case .closeSession:
            return prepareCloseSession(context: context, pending: &pending)
        default:
            throw .unimplemented
        }
    }

    /// The node as pending changes will leave it; throws noNode if it does not (or will not) exist.
    func record(for path: String, pending: PendingChanges) throws(KeeperError) -> PendingChange {
        if let change = pending.latest(for: path) {
            guard change.stat != nil else { throw .noNode }
            return change
        }
        guard let node = store.node(at: path) else { throw .noNode }
        let record = store[node]
        return PendingChange(
            zxid: -1, path: path, stat: record.stat, childCount: Int(record.childCount), acl: aclList(node))
    }

    private func prepareCreate(
        opCode: OpCode, path requestedPath: String, data: [UInt8]?, acl: [ACL], flags: Int32, ttl: Int64,
        context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        guard let mode = CreateMode(rawValue: flags) else { throw .badArguments }
        if mode.isTTL && !context.extendedTypesEnabled { throw .unimplemented }
        if mode.isTTL {
            guard ttl > 0, ttl <= EphemeralOwner.ttlMaximumMillis else { throw .badArguments }
        } else if ttl >= 0 {
            throw .badArguments
        }
        guard let parentPath = PathRules.parent(of: requestedPath) else { throw .badArguments }
        let fixedACL = try AccessControl.fixup(acl, authInfo: context.authInfo)
        var parent = try record(for: parentPath, pending: pending)
        try AccessControl.check(parent.acl, .create, authInfo: context.authInfo)
        let parentCVersion = parent.stat!.cversion
        var path = requestedPath
        if mode.isSequential { path += Self.sequenceSuffix(parentCVersion) }
        guard PathRules.isValid(path) else { throw .badArguments }
        if (try? record(for: path, pending: pending)) != nil { throw .nodeExists }
        if EphemeralOwner.isSession(parent.stat!.ephemeralOwner) { throw .noChildrenForEphemerals }
        let newCVersion = parentCVersion &+ 1

        let body: TxnBody
        let owner: Int64
        switch opCode {
        case .createContainer:
            body = .createContainer(path: path, data: data, acl: fixedACL, parentCVersion: newCVersion)
            owner = EphemeralOwner.container
        case .createTTL:
            body = .createTTL(path: path, data: data, acl: fixedACL, parentCVersion: newCVersion, ttl: ttl)
            owner = EphemeralOwner.ttl(millis: ttl)
        default:
            body = .create(
                path: path, data: data, acl: fixedACL, ephemeral: mode.isEphemeral, parentCVersion: newCVersion,
                opCode: opCode)
            owner = mode.isContainer ? EphemeralOwner.container : mode.isTTL ? EphemeralOwner.ttl(millis: ttl) : mode.isEphemeral ? context.sessionId : 0
        }
        parent.zxid = context.zxid
        parent.childCount += 1
        parent.stat!.cversion = newCVersion
        parent.stat!.pzxid = context.zxid
        pending.add(parent)
        pending.add(
            PendingChange(
                zxid: context.zxid, path: path,
                stat: ZNode.newStat(zxid: context.zxid, time: context.time, ephemeralOwner: owner), childCount: 0,
                acl: fixedACL))
        return body
    }

    /// The server's own deletion of an empty container or expired TTL node (ZooKeeper's deleteContainer).
    public func prepareDeleteContainer(
        path: String, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        guard let parentPath = PathRules.parent(of: path), !PathRules.reserved.contains(path) else {
            throw .badArguments
        }
        let node = try record(for: path, pending: pending)
        if node.childCount > 0 { throw .notEmpty }
        if EphemeralOwner.isSession(node.stat!.ephemeralOwner) { throw .badVersion }
        var parent = try record(for: parentPath, pending: pending)
        parent.zxid = context.zxid
        parent.childCount -= 1
        parent.stat!.pzxid = context.zxid
        pending.add(parent)
        pending.add(PendingChange(zxid: context.zxid, path: path, stat: nil, childCount: -1, acl: []))
        return .delete(path: path, opCode: .deleteContainer)
    }

    /// Containers that had children and are empty again, and TTL nodes without children whose TTL has passed
    /// since their last change, in path order (ZooKeeper's ContainerManager candidates).
    public func reapableNodes(now: Int64) -> [String] {
        var candidates: [String] = []
        for key in containers {
            guard let node = storedNode(at: key.path) else { continue }
            if store[node].childCount == 0, store[node].cversion > 0 { candidates.append(key.path) }
        }
        for key in ttlNodes {
            guard let node = storedNode(at: key.path), store[node].childCount == 0 else { continue }
            let ttl = EphemeralOwner.ttlMillis(store[node].ephemeralOwner)
            if ttl != 0 && now - store[node].mtime > ttl { candidates.append(key.path) }
        }
        return candidates.sorted()
    }

    /// `%010d` of the parent's creation count, as Java formats it (a negative count keeps its sign).
    static func sequenceSuffix(_ counter: Int32) -> String {
        let digits = String(counter.magnitude)
        if counter < 0 { return "-" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits }
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    private func prepareDelete(
        _ request: DeleteRequest, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        let path = request.path
        guard let parentPath = PathRules.parent(of: path), !PathRules.reserved.contains(path) else {
            throw .badArguments
        }
        var parent = try record(for: parentPath, pending: pending)
        try AccessControl.check(parent.acl, .delete, authInfo: context.authInfo)
        let node = try record(for: path, pending: pending)
        _ = try Self.nextVersion(current: node.stat!.version, expected: request.version)
        if node.childCount > 0 { throw .notEmpty }
        parent.zxid = context.zxid
        parent.childCount -= 1
        parent.stat!.pzxid = context.zxid
        pending.add(parent)
        pending.add(PendingChange(zxid: context.zxid, path: path, stat: nil, childCount: -1, acl: []))
        return .delete(path: path, opCode: .delete)
    }

    private func prepareSetData(
        _ request: SetDataRequest, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        guard PathRules.isValid(request.path) else { throw .badArguments }
        var node = try record(for: request.path, pending: pending)
        try AccessControl.check(node.acl, .write, authInfo: context.authInfo)
        let version = try Self.nextVersion(current: node.stat!.version, expected: request.version)
        node.zxid = context.zxid
        node.stat!.version = version
        node.stat!.mtime = context.time
        node.stat!.mzxid = context.zxid
        pending.add(node)
        return .setData(path: request.path, data: request.data, version: version, opCode: .setData)
    }

    private func prepareSetACL(
        _ request: SetACLRequest, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        guard PathRules.isValid(request.path) else { throw .badArguments }
        let fixedACL = try AccessControl.fixup(request.acl, authInfo: context.authInfo)
        var node = try record(for: request.path, pending: pending)
        try AccessControl.check(node.acl, .admin, authInfo: context.authInfo)
        let version = try Self.nextVersion(current: node.stat!.aversion, expected: request.version)
        node.zxid = context.zxid
        node.stat!.aversion = version
        node.acl = fixedACL
        pending.add(node)
        return .setACL(path: request.path, acl: fixedACL, version: version)
    }

    private func prepareCheck(
        _ request: CheckVersionRequest, context: PrepareContext, pending: inout PendingChanges
    ) throws(KeeperError) -> TxnBody {
        guard PathRules.isValid(request.path) else { throw .badArguments }
        let node = try record(for: request.path, pending: pending)
        try AccessControl.check(node.acl, .read, authInfo: context.authInfo)
        let version = try Self.nextVersion(current: node.stat!.version, expected: request.version)
        return .check(path: request.path, version: version)
    }

    static func nextVersion(current: Int32, expected: Int32) throws(KeeperError) -> Int32 {
        if expected != -1 && expected != current { throw .badVersion }
        return current &+ 1
    }

    /// All ops share one zxid. After the first failure the remaining ops are not examined; the txn records the
    /// failure so every replica applies nothing and answers the same per-op results.
    private func prepareMulti(
        _ request: MultiRequest, context: PrepareContext, pending: inout PendingChanges
    ) -> TxnBody {
        var touched: Set<PathKey> = []
        for operation in request.operations {
            touched.insert(PathKey(operation.path))
            if let parent = PathRules.parent(of: operation.path) { touched.insert(PathKey(parent)) }
        }
        let saved = pending.save(paths: touched)
        var bodies: [TxnBody] = []
        var failed = false
        for operation in request.operations {
            if failed {
                bodies.append(.error(KeeperError.runtimeInconsistency.rawValue))
                continue
            }
            let subRequest: ClientRequest
            switch operation {
            case .create(let create, _):
                // ZooKeeper 3.8 rebuilds each create inside multi from its flags: a container stays a container,
                // everything else becomes a plain create (so create2 answers with a path only).
                let mode = CreateMode(rawValue: create.flags)
                subRequest = .create(create, opCode: mode == .container ? .createContainer : .create)
            case .createTTL(let create): subRequest = .createTTL(create)
            case .delete(let delete): subRequest = .delete(delete)
            case .setData(let set): subRequest = .setData(set)
            case .check(let check): subRequest = .check(check)
            case .getData, .getChildren:
                preconditionFailure("reads are refused before a multi is prepared")
            }
            do {
                bodies.append(try prepare(subRequest, context: context, pending: &pending))
            } catch {
                bodies.append(.error(error.rawValue))
                failed = true
                pending.rollBack(zxid: context.zxid, to: saved)
            }
        }
        return .multi(bodies)
    }

    private func prepareCloseSession(context: PrepareContext, pending: inout PendingChanges) -> TxnBody {
        var paths = ephemeralsBySession[context.sessionId]?.javaClone() ?? JavaStringHashSet()
        for change in pending.all {
            if let stat = change.stat {
                if stat.ephemeralOwner == context.sessionId { paths.insert(change.path) }
            } else {
                paths.remove(change.path)
            }
        }
        let ordered = paths.elementsInJavaOrder
        for path in ordered {
            pending.add(PendingChange(zxid: context.zxid, path: path, stat: nil, childCount: 0, acl: []))
        }
        return .closeSession(pathsToDelete: ordered)
    }
}
