/// One member of the ensemble, from a `server.N` line.
///
/// Value grammar (ZooKeeper 3.5 and later):
///
///     value        = server-part [ ";" client-part ]
///     server-part  = address { "|" address }          ; several addresses per server (ZooKeeper's multiAddress)
///     address      = host ":" quorum-port ":" election-port [ ":" role ]
///     role         = "participant" | "observer"        ; any case; every address that names one must agree
///     client-part  = [ host ":" ] port                 ; no host means all addresses
///     host         = name | IPv4 | "[" IPv6 "]"
///
/// ZooKeeper accepts several addresses only with `multiAddress.enabled=true`; Aviary always accepts them, since
/// a configuration that needs the switch already has it. Host names are not resolved here: the configuration is
/// read without touching the network, and resolution belongs to the transport that dials the peer.
public struct QuorumServer: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        /// Votes in elections and counts towards the quorum.
        case participant
        /// Follows the leader without voting.
        case observer
    }

    public struct Address: Sendable, Hashable {
        public var host: String
        /// The port followers use to connect to the leader (the learner port).
        public var quorumPort: Int
        /// The port for fast leader election.
        public var electionPort: Int

        public init(host: String, quorumPort: Int, electionPort: Int) {
            self.host = host
            self.quorumPort = quorumPort
            self.electionPort = electionPort
        }
    }

    /// The `N` of `server.N`, and the content of that server's `myid` file.
    public var id: Int64
    /// Never empty; the first address is the one ZooKeeper 3.4 peers know.
    public var addresses: [Address]
    public var role: Role
    /// The address this server takes client connections on; `nil` means all addresses (or the top-level
    /// `clientPortAddress`).
    public var clientAddress: String?
    /// The client port announced for this server; `nil` means the top-level `clientPort`.
    public var clientPort: Int?

    public init(
        id: Int64, addresses: [Address], role: Role = .participant, clientAddress: String? = nil,
        clientPort: Int? = nil
    ) {
        precondition(!addresses.isEmpty, "a quorum server needs at least one address")
        self.id = id
        self.addresses = addresses
        self.role = role
        self.clientAddress = clientAddress
        self.clientPort = clientPort
    }

    /// Parses the value of a `server.N` line.
    public init(id: Int64, specification: String) throws(ConfigurationError) {
        do {
            self = try QuorumServer.parse(id: id, specification: specification)
        } catch {
            throw ConfigurationError(path: nil, line: nil, key: "server.\(id)", reason: error.reason)
        }
    }

    public var host: String { addresses[0].host }
    public var quorumPort: Int { addresses[0].quorumPort }
    public var electionPort: Int { addresses[0].electionPort }

    /// The value as a `server.N` line would carry it, role always spelled out, as in ZooKeeper's dynamic
    /// configuration: `host:2888:3888:participant;0.0.0.0:2181`.
    public var specification: String {
        var text = addresses.map { address in
            "\(bracketed(address.host)):\(address.quorumPort):\(address.electionPort)"
        }.joined(separator: "|")
        text += ":\(role.rawValue)"
        if let clientPort {
            text += ";\(bracketed(clientAddress ?? "0.0.0.0")):\(clientPort)"
        }
        return text
    }

    static func parse(id: Int64, specification: String) throws(ConfigurationValueError) -> QuorumServer {
        let parts = specification.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw ConfigurationValueError(formatHint(specification))
        }
        var addresses: [Address] = []
        var role: Role?
        for addressText in parts[0].split(separator: "|", omittingEmptySubsequences: false) {
            let fields = try hostAndPorts(ConfigurationValues.trimmed(addressText))
            guard fields.count == 3 || fields.count == 4 else {
                throw ConfigurationValueError(formatHint(specification))
            }
            let host = try hostField(fields[0])
            let quorumPort = try portField(fields[1], name: "quorum port")
            let electionPort = try portField(fields[2], name: "election port")
            guard quorumPort != electionPort else {
                throw ConfigurationValueError("quorum port and election port must differ: \(quorumPort)")
            }
            if fields.count == 4 {
                let named = try roleField(fields[3])
                if let role, role != named {
                    throw ConfigurationValueError(
                        "all addresses of one server must have the same role: \(role.rawValue) vs \(named.rawValue)")
                }
                role = named
            }
            addresses.append(Address(host: host, quorumPort: quorumPort, electionPort: electionPort))
        }
        var server = QuorumServer(id: id, addresses: addresses, role: role ?? .participant)
        if parts.count == 2 {
            let fields = try hostAndPorts(ConfigurationValues.trimmed(parts[1]))
            guard fields.count == 1 || fields.count == 2 else {
                throw ConfigurationValueError(formatHint(specification))
            }
            server.clientPort = try portField(fields[fields.count - 1], name: "client port")
            if fields.count == 2 {
                server.clientAddress = try hostField(fields[0])
            }
        }
        return server
    }

    /// Splits `host:port:…`, where the host may be a bracketed IPv6 literal whose colons do not separate fields.
    private static func hostAndPorts(_ text: String) throws(ConfigurationValueError) -> [String] {
        guard text.hasPrefix("[") else {
            return fields(text[...])
        }
        guard let close = text.firstIndex(of: "]") else {
            throw ConfigurationValueError("'\(text)' starts with '[' but has no matching ']'")
        }
        let host = String(text[text.index(after: text.startIndex)..<close])
        let rest = text[text.index(after: close)...]
        guard rest.hasPrefix(":"), rest.count > 1 else {
            throw ConfigurationValueError("'\(text)' has no port after the IPv6 address")
        }
        return [host] + fields(rest.dropFirst())
    }

    private static func fields(_ text: Substring) -> [String] {
        text.split(separator: ":", omittingEmptySubsequences: false).map { ConfigurationValues.trimmed($0) }
    }

    private static func hostField(_ text: String) throws(ConfigurationValueError) -> String {
        guard !text.isEmpty else {
            throw ConfigurationValueError("missing host")
        }
        return text
    }

    private static func portField(_ text: String, name: String) throws(ConfigurationValueError) -> Int {
        guard let value = Int32(text), (1...65535).contains(value) else {
            throw ConfigurationValueError("\(name) is not a port number (1-65535): '\(text)'")
        }
        return Int(value)
    }

    private static func roleField(_ text: String) throws(ConfigurationValueError) -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw ConfigurationValueError("unknown role '\(text)' (expected 'participant' or 'observer')")
        }
        return role
    }

    private static func formatHint(_ specification: String) -> String {
        "'\(specification)' is not host:quorumPort:electionPort[:participant|observer] (several joined by '|'), "
            + "optionally followed by ';[clientHost:]clientPort'"
    }

    private func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}
