import AviaryClient

extension ShellSession {
    /// Runs a command that needs the session, printing its results as zkCli does.
    func execute(_ command: ShellCommand, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        switch command {
        case .ls(let path, let stat, let watch, let recursive):
            if recursive {
                try await listRecursively(path, watch: watch, on: client)
            } else {
                try await list(path, stat: stat, watch: watch, on: client)
            }
        case .create(let path, let data, let acl, let mode, let ttlMillis):
            let created = try await client.create(
                path, data: data, acl: acl ?? ACL.openUnsafe, mode: mode, ttl: ttlMillis.map { .milliseconds($0) })
            output.line("Created \(created)")
        case .get(let path, let stat, let watch):
            let node: NodeData
            if watch {
                let watched = try await client.watchData(path)
                printEvent(of: watched.watch)
                node = watched.value
            } else {
                node = try await client.getData(path)
            }
            output.line(String(decoding: node.data, as: UTF8.self))
            if stat { output.lines(StatText.lines(node.stat)) }
        case .set(let path, let data, let version, let stat):
            let newStat = try await client.setData(path, data: data, version: version)
            if stat { output.lines(StatText.lines(newStat)) }
        case .stat(let path, let watch):
            let stat: Stat?
            if watch {
                let watched = try await client.watchExists(path)
                printEvent(of: watched.watch)
                stat = watched.value
            } else {
                stat = try await client.exists(path)
            }
            guard let stat else { throw ZooKeeperError(.noNode, path: path) }
            output.lines(StatText.lines(stat))
        case .delete(let path, let version):
            try await client.delete(path, version: version)
        case .deleteAll(let path):
            // The client's recursive delete treats a missing node as done; zkCli reports it.
            guard try await client.exists(path) != nil else { throw ZooKeeperError(.noNode, path: path) }
            try await client.deleteRecursively(path)
        case .getAcl(let path, let stat):
            let (acl, nodeStat) = try await client.getACL(path)
            output.lines(ACLText.listing(acl))
            if stat { output.lines(StatText.lines(nodeStat)) }
        case .setAcl(let path, let acl, let version, let stat, let recursive):
            if recursive {
                try await setACLRecursively(path, acl: acl, version: version, on: client)
            } else {
                let newStat = try await client.setACL(path, acl: acl, version: version)
                if stat { output.lines(StatText.lines(newStat)) }
            }
        case .addAuth(let scheme, let auth):
            try await client.addAuth(scheme: scheme, credentials: Array(auth.utf8))
        case .addWatch(let path, let mode):
            printEvents(of: try await client.addWatch(path, mode: mode))
        case .removeWatches(let path, let type):
            try await client.removeWatches(path, type: type)
        case .sync(let path):
            try await client.sync(path)
            output.line("Sync is OK")
        case .getEphemerals(let path):
            output.line(EventText.list(try await client.getEphemerals(prefix: path)))
        case .getAllChildrenNumber(let path):
            output.line("\(try await client.getAllChildrenNumber(path))")
        case .whoAmI:
            let identities = try await client.whoAmI()
            output.lines(["Auth scheme: User"] + identities.map { "\($0.authScheme): \($0.user)" })
        case .config(let clientOnly, let watch, let stat):
            try await showConfig(clientOnly: clientOnly, watch: watch, stat: stat, on: client)
        case .members(let path, let limit):
            try await followMembers(path, limit: limit, on: client)
        case .connect, .close, .printWatches, .history, .redo, .quit, .help:
            break
        }
    }

    private func list(_ path: String, stat: Bool, watch: Bool, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        let children: [String]
        var nodeStat: Stat?
        if watch {
            let watched = try await client.watchChildren(path)
            printEvent(of: watched.watch)
            children = watched.value
            if stat {
                guard let current = try await client.exists(path) else { throw ZooKeeperError(.noNode, path: path) }
                nodeStat = current
            }
        } else if stat {
            (children, nodeStat) = try await client.getChildrenWithStat(path)
        } else {
            children = try await client.getChildren(path)
        }
        output.line(EventText.list(children.sorted()))
        if let nodeStat { output.lines(StatText.lines(nodeStat)) }
    }

    /// zkCli's `ls -R` order: a node, then all its children, then each child's subtree in turn.
    private func listRecursively(_ path: String, watch: Bool, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        if watch {
            printEvent(of: try await client.watchData(path).watch)
        } else {
            _ = try await client.getData(path)
        }
        output.line(path)
        try await visitDescendants(of: path, watch: watch, on: client) { [output] child in output.line(child) }
    }

    private func setACLRecursively(_ path: String, acl: [ACL], version: Int32, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        _ = try await client.getData(path)
        var paths = [path]
        try await visitDescendants(of: path, watch: false, on: client) { paths.append($0) }
        var firstError: ZooKeeperError?
        for node in paths {
            do throws(ZooKeeperError) {
                try await client.setACL(node, acl: acl, version: version)
            } catch {
                // As zkCli: report each failure and carry on with the rest of the tree.
                output.errorLine(ShellError(error).message)
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    /// Visits the descendants of `path` breadth-first per level as zkCli does; nodes deleted meanwhile are
    /// skipped.
    private func visitDescendants(
        of path: String, watch: Bool, on client: ZooKeeperClient, _ visit: (String) -> Void
    ) async throws(ZooKeeperError) {
        let children: [String]
        do throws(ZooKeeperError) {
            if watch {
                let watched = try await client.watchChildren(path)
                printEvent(of: watched.watch)
                children = watched.value.sorted()
            } else {
                children = try await client.getChildren(path).sorted()
            }
        } catch where error.code == .noNode {
            return
        }
        let paths = children.map { path == "/" ? "/\($0)" : "\(path)/\($0)" }
        for child in paths { visit(child) }
        for child in paths {
            try await visitDescendants(of: child, watch: watch, on: client, visit)
        }
    }

    private func showConfig(clientOnly: Bool, watch: Bool, stat: Bool, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        let configPath = "/zookeeper/config"
        let node: NodeData
        if watch {
            let watched = try await client.watchData(configPath)
            printEvent(of: watched.watch)
            node = watched.value
        } else {
            node = try await client.getData(configPath)
        }
        let text = String(decoding: node.data, as: UTF8.self)
        output.line(clientOnly ? ClientConfigText.summary(text) : text)
        if stat { output.lines(StatText.lines(node.stat)) }
    }
}
