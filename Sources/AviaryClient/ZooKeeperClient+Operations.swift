import AviaryWire
import NIOCore

extension ZooKeeperClient {
    /// Creates a node and returns its actual path (with the sequential suffix, for sequential modes).
    ///
    /// - Parameters:
    ///   - path: for sequential modes, the prefix the server completes (it may end in "/").
    ///   - mode: `.container` nodes are deleted by the server once their last child goes; the TTL modes need
    ///     `ttl` and a server with `extendedTypesEnabled=true`.
    ///   - ttl: how long an unmodified, childless TTL node lives; only for the TTL modes.
    /// - Throws: `nodeExists`, `noNode` (no parent), `noChildrenForEphemerals`, `noAuth`, `invalidACL`,
    ///   `badArguments` (bad path, or ttl with a non-TTL mode), `unimplemented` (TTL disabled on the server).
    @discardableResult
    public func create(
        _ path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
        ttl: Duration? = nil
    ) async throws(ZooKeeperError) -> String {
        let request = try createRequest(path, data: data, acl: acl, mode: mode, ttl: ttl, withStat: false)
        switch try await call(request, path: path) {
        case .create(let created), .create2(let created, _): return chroot.clientPath(created)
        default: throw unexpectedReply(path)
        }
    }

    /// Creates a node like `create` and also returns its Stat (ZooKeeper's `create2`).
    @discardableResult
    public func createWithStat(
        _ path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
        ttl: Duration? = nil
    ) async throws(ZooKeeperError) -> (path: String, stat: Stat) {
        let request = try createRequest(path, data: data, acl: acl, mode: mode, ttl: ttl, withStat: true)
        guard case .create2(let created, let stat) = try await call(request, path: path) else {
            throw unexpectedReply(path)
        }
        return (chroot.clientPath(created), stat)
    }

    /// Reads a node's data and Stat. - Throws: `noNode`, `noAuth`.
    public func getData(_ path: String) async throws(ZooKeeperError) -> NodeData {
        let request = ClientRequest.getData(PathWatchRequest(path: try serverPath(path)))
        guard case .getData(let data, let stat) = try await call(request, path: path) else {
            throw unexpectedReply(path)
        }
        return NodeData(data: data ?? [], stat: stat)
    }

    /// Replaces a node's data if its version is `version` (-1: any). Returns the new Stat.
    /// - Throws: `noNode`, `badVersion`, `noAuth`.
    @discardableResult
    public func setData(_ path: String, data: [UInt8], version: Int32 = -1) async throws(ZooKeeperError) -> Stat {
        let request = ClientRequest.setData(SetDataRequest(path: try serverPath(path), data: data, version: version))
        guard case .stat(let stat) = try await call(request, path: path) else { throw unexpectedReply(path) }
        return stat
    }

    /// Deletes a node if its version is `version` (-1: any). - Throws: `noNode`, `badVersion`, `notEmpty`.
    public func delete(_ path: String, version: Int32 = -1) async throws(ZooKeeperError) {
        let request = ClientRequest.delete(DeleteRequest(path: try serverPath(path), version: version))
        _ = try await call(request, path: path)
    }

    /// The node's Stat, or nil if it does not exist.
    public func exists(_ path: String) async throws(ZooKeeperError) -> Stat? {
        let request = ClientRequest.exists(PathWatchRequest(path: try serverPath(path)))
        do throws(ZooKeeperError) {
            guard case .stat(let stat) = try await call(request, path: path) else { throw unexpectedReply(path) }
            return stat
        } catch where error.code == .noNode {
            return nil
        }
    }

    /// The names (not paths) of a node's children, in the server's order. - Throws: `noNode`, `noAuth`.
    public func getChildren(_ path: String) async throws(ZooKeeperError) -> [String] {
        let request = ClientRequest.getChildren(PathWatchRequest(path: try serverPath(path)))
        guard case .getChildren(let children) = try await call(request, path: path) else {
            throw unexpectedReply(path)
        }
        return children
    }

    /// A node's children and its own Stat (ZooKeeper's `getChildren2`).
    public func getChildrenWithStat(_ path: String) async throws(ZooKeeperError) -> (children: [String], stat: Stat) {
        let request = ClientRequest.getChildren2(PathWatchRequest(path: try serverPath(path)))
        guard case .getChildren2(let children, let stat) = try await call(request, path: path) else {
            throw unexpectedReply(path)
        }
        return (children, stat)
    }

    /// Runs the operations atomically: all are applied, or none. Returns one result per operation.
    ///
    /// - Throws: the first failing operation's code, with `results` saying which one failed
    ///   (`.failed(code)`), which would have succeeded (`.rolledBack`), and which were not tried.
    @discardableResult
    public func multi(_ operations: [Op]) async throws(ZooKeeperError) -> [OpResult] {
        var requests: [MultiOperation] = []
        for operation in operations {
            requests.append(try multiOperation(operation))
        }
        guard case .multi(let results) = try await call(.multi(MultiRequest(operations: requests)), path: nil) else {
            throw unexpectedReply(nil)
        }
        // A server may report a failed multi in its results only, with a zero error in the header (the Java
        // client checks both places too).
        let converted = results.map(operationResult)
        for (index, result) in converted.enumerated() {
            if case .failed(let code) = result {
                throw ZooKeeperError(code, path: operations[index].path, results: converted)
            }
        }
        return converted
    }

    /// Makes the server this client is connected to catch up with the leader before answering, so a read
    /// after `sync` sees every write committed before it.
    public func sync(_ path: String = "/") async throws(ZooKeeperError) {
        _ = try await call(.sync(PathRequest(path: try serverPath(path))), path: path)
    }

    /// A node's ACL and Stat. - Throws: `noNode`, `noAuth`.
    public func getACL(_ path: String) async throws(ZooKeeperError) -> (acl: [ACL], stat: Stat) {
        guard case .getACL(let acl, let stat) = try await call(.getACL(PathRequest(path: try serverPath(path))), path: path)
        else { throw unexpectedReply(path) }
        return (acl, stat)
    }

    /// Replaces a node's ACL if its ACL version is `version` (-1: any). Returns the new Stat.
    /// - Throws: `noNode`, `badVersion`, `noAuth`, `invalidACL`.
    @discardableResult
    public func setACL(_ path: String, acl: [ACL], version: Int32 = -1) async throws(ZooKeeperError) -> Stat {
        let request = ClientRequest.setACL(SetACLRequest(path: try serverPath(path), acl: acl, version: version))
        guard case .stat(let stat) = try await call(request, path: path) else { throw unexpectedReply(path) }
        return stat
    }

    /// Adds credentials to the session (`digest` takes `user:password`). They are re-sent after every
    /// reconnect. - Throws: `authFailed`, after which the session is over (the server closes it).
    public func addAuth(scheme: String, credentials: [UInt8]) async throws(ZooKeeperError) {
        let promise = eventLoop.makePromise(of: ResponseBody.self)
        let driver = self.driver
        let packet = AuthPacket(scheme: scheme, auth: credentials)
        eventLoop.execute { driver.value.addAuth(packet, promise: promise) }
        _ = try await reply(promise.futureResult, path: nil)
    }

    /// `addAuth(scheme: "digest", credentials: "user:password")`.
    public func addDigestAuth(user: String, password: String) async throws(ZooKeeperError) {
        try await addAuth(scheme: "digest", credentials: Array("\(user):\(password)".utf8))
    }

    /// The identities the server has attached to this session (ZooKeeper 3.7+).
    public func whoAmI() async throws(ZooKeeperError) -> [ClientInfo] {
        guard case .whoAmI(let identities) = try await call(.whoAmI, path: nil) else { throw unexpectedReply(nil) }
        return identities
    }

    /// This session's ephemeral nodes whose paths start with `prefix` (ZooKeeper 3.6+).
    public func getEphemerals(prefix: String = "/") async throws(ZooKeeperError) -> [String] {
        guard case .getEphemerals(let paths) = try await call(.getEphemerals(PathRequest(path: try serverPath(prefix))), path: prefix)
        else { throw unexpectedReply(prefix) }
        return paths.map(chroot.clientPath)
    }

    /// The number of descendants of a node, at any depth (ZooKeeper 3.6+).
    public func getAllChildrenNumber(_ path: String) async throws(ZooKeeperError) -> Int {
        let request = ClientRequest.getAllChildrenNumber(PathRequest(path: try serverPath(path)))
        guard case .getAllChildrenNumber(let count) = try await call(request, path: path) else {
            throw unexpectedReply(path)
        }
        return Int(count)
    }

    // MARK: Conveniences (kazoo's ensure_path and recursive delete)

    /// Creates `path` and any missing ancestors as persistent nodes; existing ones are left alone.
    public func ensurePath(_ path: String, acl: [ACL] = ACL.openUnsafe) async throws(ZooKeeperError) {
        _ = try serverPath(path)
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if try await exists(current) != nil { continue }
            do throws(ZooKeeperError) {
                try await create(current, acl: acl)
            } catch where error.code == .nodeExists {
                continue
            }
        }
    }

    /// Deletes a node and everything below it, children first. A node already gone is not an error.
    public func deleteRecursively(_ path: String) async throws(ZooKeeperError) {
        let children: [String]
        do throws(ZooKeeperError) {
            children = try await getChildren(path)
        } catch where error.code == .noNode {
            return
        }
        for child in children {
            try await deleteRecursively(path == "/" ? "/\(child)" : "\(path)/\(child)")
        }
        guard path != "/" else { return }
        do throws(ZooKeeperError) {
            try await delete(path)
        } catch where error.code == .noNode {
            return
        }
    }

    // MARK: Request building

    private func createRequest(
        _ path: String, data: [UInt8], acl: [ACL], mode: CreateMode, ttl: Duration?, withStat: Bool
    ) throws(ZooKeeperError) -> ClientRequest {
        let target = try serverPath(path, sequential: mode.isSequential)
        if mode.isTTL {
            let millis = try ttlMillis(ttl, path: path)
            return .createTTL(CreateTTLRequest(path: target, data: data, acl: acl, flags: mode.rawValue, ttl: millis))
        }
        guard ttl == nil else { throw ZooKeeperError(.badArguments, path: path, detail: "ttl needs a TTL mode") }
        let body = CreateRequest(path: target, data: data, acl: acl, flags: mode.rawValue)
        if mode == .container { return .create(body, opCode: .createContainer) }
        return .create(body, opCode: withStat ? .create2 : .create)
    }

    private func multiOperation(_ operation: Op) throws(ZooKeeperError) -> MultiOperation {
        switch operation {
        case .create(let path, let data, let acl, let mode, let ttl):
            let target = try serverPath(path, sequential: mode.isSequential)
            if mode.isTTL {
                let millis = try ttlMillis(ttl, path: path)
                return .createTTL(CreateTTLRequest(path: target, data: data, acl: acl, flags: mode.rawValue, ttl: millis))
            }
            guard ttl == nil else { throw ZooKeeperError(.badArguments, path: path, detail: "ttl needs a TTL mode") }
            let body = CreateRequest(path: target, data: data, acl: acl, flags: mode.rawValue)
            return .create(body, opCode: mode == .container ? .createContainer : .create)
        case .delete(let path, let version):
            return .delete(DeleteRequest(path: try serverPath(path), version: version))
        case .setData(let path, let data, let version):
            return .setData(SetDataRequest(path: try serverPath(path), data: data, version: version))
        case .check(let path, let version):
            return .check(CheckVersionRequest(path: try serverPath(path), version: version))
        }
    }

    private func ttlMillis(_ ttl: Duration?, path: String) throws(ZooKeeperError) -> Int64 {
        guard let ttl else { throw ZooKeeperError(.badArguments, path: path, detail: "TTL mode needs a ttl") }
        let millis = TimeAmount(duration: ttl).nanoseconds / 1_000_000
        guard millis > 0, millis <= EphemeralOwner.ttlMaximumMillis else {
            throw ZooKeeperError(.badArguments, path: path, detail: "ttl \(ttl) out of range")
        }
        return millis
    }

    func unexpectedReply(_ path: String?) -> ZooKeeperError {
        ZooKeeperError(.marshallingError, path: path, detail: "unexpected reply body")
    }
}
