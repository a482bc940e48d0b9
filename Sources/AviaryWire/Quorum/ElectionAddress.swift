/// A server's election address as the handshake carries it: `host:port`, or `[host]:port` for an IPv6 literal
/// (ZooKeeper's `NetUtils.formatInetAddr` and `ConfigUtils.getHostAndPort`). The host stays text; resolving it
/// (and ignoring a wildcard such as 0.0.0.0, as ZooKeeper does) is for the caller.
public struct ElectionAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        precondition((0...65535).contains(port), "port \(port) out of range")
        self.host = host
        self.port = port
    }

    public init(parsing text: Substring) throws(ElectionWireError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .handshakeAddress(String(text))
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2 else { throw .handshakeAddress(String(text)) }
            hostPart = pieces[0]
            portPart = pieces[1]
        }
        guard !hostPart.isEmpty, !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portPart), port <= 65535
        else { throw .handshakeAddress(String(text)) }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
