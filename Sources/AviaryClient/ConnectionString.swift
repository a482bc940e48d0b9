import AviaryWire

/// One server of a connection string.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A ZooKeeper connection string: `host:port,host:port/chroot`, as the Java client reads it.
///
/// A missing port means 2181. IPv6 addresses go in brackets (`[::1]:2181`). The chroot, if any, follows the
/// last server and applies to every path of the session.
public struct ConnectionString: Sendable, Hashable {
    public static let defaultPort = 2181

    public var servers: [ServerAddress]
    /// The chroot path without a trailing slash, or nil for none.
    public var chroot: String?

    public init(servers: [ServerAddress], chroot: String? = nil) {
        self.servers = servers
        self.chroot = chroot
    }

    public init(parsing text: String) throws(ZooKeeperError) {
        var hosts = Substring(text)
        var chroot: String?
        if let slash = text.firstIndex(of: "/") {
            hosts = text[..<slash]
            let path = String(text[slash...])
            if path != "/" {
                let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
                guard Chroot.isValid(trimmed) else { throw Self.invalid(text, "bad chroot \(path)") }
                chroot = trimmed
            }
        }
        var servers: [ServerAddress] = []
        for entry in hosts.split(separator: ",", omittingEmptySubsequences: true) {
            let item = entry.trimmingWhitespace()
            guard !item.isEmpty else { continue }
            servers.append(try Self.parseServer(item, in: text))
        }
        guard !servers.isEmpty else { throw Self.invalid(text, "no servers") }
        self.servers = servers
        self.chroot = chroot
    }

    private static func parseServer(_ item: Substring, in text: String) throws(ZooKeeperError) -> ServerAddress {
        var host: Substring
        var portText: Substring?
        if item.hasPrefix("[") {
            guard let close = item.firstIndex(of: "]") else { throw invalid(text, "unclosed [ in \(item)") }
            host = item[item.index(after: item.startIndex)..<close]
            let rest = item[item.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw invalid(text, "bad server \(item)") }
                portText = rest.dropFirst()
            }
        } else if let colon = item.lastIndex(of: ":") {
            host = item[..<colon]
            portText = item[item.index(after: colon)...]
        } else {
            host = item
        }
        guard !host.isEmpty else { throw invalid(text, "empty host in \(item)") }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid(text, "bad port in \(item)")
            }
            port = value
        }
        return ServerAddress(host: String(host), port: port)
    }

    private static func invalid(_ text: String, _ detail: String) -> ZooKeeperError {
        ZooKeeperError(.badArguments, detail: "connection string \"\(text)\": \(detail)")
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var result = self
        while result.first?.isWhitespace == true { result = result.dropFirst() }
        while result.last?.isWhitespace == true { result = result.dropLast() }
        return result
    }
}
