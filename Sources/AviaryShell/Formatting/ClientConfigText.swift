/// `config -c`: the client's view of a dynamic configuration (`/zookeeper/config`), as ZooKeeper's
/// `ConfigUtils.getClientConfigStr` gives it: the version, a space, and the servers' client addresses
/// (`version=100000000` + `server.1=h:2888:3888;2181` → `100000000 h:2181`).
public enum ClientConfigText {
    public static func summary(_ config: String) -> String {
        var version = ""
        var clients: [String] = []
        for rawLine in config.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces()
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces()
            let value = line[line.index(after: equals)...].trimmingSpaces()
            if key == "version" { version = String(value) }
            guard key.hasPrefix("server.") else { continue }
            guard let semicolon = value.lastIndex(of: ";") else { continue }
            var client = value[value.index(after: semicolon)...].trimmingSpaces()
            // A client port without an address listens on every interface: zkCli shows 0.0.0.0 then.
            if !client.contains(":") { client = "0.0.0.0:" + client }
            clients.append(String(client))
        }
        return version + " " + clients.joined(separator: ",")
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
