import NIOCore

/// The first bytes the connecting side writes on an election connection (ZooKeeper's `QuorumCnxManager`):
///
///     handshake = long protocolVersion, long sid, int length, byte[length] addresses    (3.5 and later)
///               | long sid                                                           (earlier; sid ≥ 0)
///     addresses = address *("|" address)        ; V1 sends one, V2 one per configured address
///
/// A non-negative first long is therefore a legacy sid, a negative one a protocol version. ZooKeeper 3.8 sends
/// V1 unless `zookeeper.multiAddress.enabled` is set (ZOOKEEPER-3720: a V2 handshake would cut off 3.5 peers
/// during a rolling upgrade) and accepts all three forms.
public struct ElectionHandshake: JuteEncodable, Sendable, Hashable {
    public enum ProtocolVersion: Int64, Sendable, Hashable {
        case v1 = -65536
        case v2 = -65535
    }

    /// ZooKeeper's `QuorumCnxManager.maxBuffer`: the most address bytes a receiver accepts.
    public static let addressBytesMax = 2048
    /// The sid an observer without an id sends (`QuorumPeer.OBSERVER_ID`); the receiver gives it a temporary one.
    public static let observerId = Int64.max

    /// Nil for the legacy form, which is the sid alone.
    public var protocolVersion: ProtocolVersion?
    public var serverId: Int64
    /// Where the sender listens for election connections (empty for the legacy form).
    public var addresses: [ElectionAddress]

    public init(protocolVersion: ProtocolVersion?, serverId: Int64, addresses: [ElectionAddress]) {
        precondition(
            protocolVersion != nil || (serverId >= 0 && addresses.isEmpty), "a legacy handshake is a sid ≥ 0 alone")
        self.protocolVersion = protocolVersion
        self.serverId = serverId
        self.addresses = addresses
    }

    /// The handshake ZooKeeper 3.8 sends by default.
    public static func v1(serverId: Int64, address: ElectionAddress) -> ElectionHandshake {
        ElectionHandshake(protocolVersion: .v1, serverId: serverId, addresses: [address])
    }

    /// Takes a whole handshake off the front of `buffer`, or returns nil and consumes nothing if it has not all
    /// arrived. The address length is checked as soon as it is in, before waiting for the bytes it announces.
    public static func decode(from buffer: inout ByteBuffer) throws(ElectionWireError) -> ElectionHandshake? {
        var reader = buffer
        guard let first = reader.readInteger(endianness: .big, as: Int64.self) else { return nil }
        if first >= 0 {
            buffer = reader
            return ElectionHandshake(protocolVersion: nil, serverId: first, addresses: [])
        }
        guard let version = ProtocolVersion(rawValue: first) else { throw .unknownHandshakeVersion(first) }
        guard let serverId = reader.readInteger(endianness: .big, as: Int64.self),
            let length = reader.readInteger(endianness: .big, as: Int32.self)
        else { return nil }
        guard length > 0, Int(length) <= addressBytesMax else { throw .handshakeAddressLength(length) }
        guard let text = reader.readString(length: Int(length)) else { return nil }
        let addresses = try parseAddresses(text)
        buffer = reader
        return ElectionHandshake(protocolVersion: version, serverId: serverId, addresses: addresses)
    }

    /// Splits on "|" as Java's `String.split` does: trailing empty pieces vanish, any other empty piece is an
    /// error.
    private static func parseAddresses(_ text: String) throws(ElectionWireError) -> [ElectionAddress] {
        var pieces = text.split(separator: "|", omittingEmptySubsequences: false)
        while pieces.last?.isEmpty == true { pieces.removeLast() }
        guard !pieces.isEmpty else { throw .handshakeAddress(text) }
        var addresses: [ElectionAddress] = []
        for piece in pieces {
            addresses.append(try ElectionAddress(parsing: piece))
        }
        return addresses
    }

    public func encode(to buffer: inout ByteBuffer) {
        guard let protocolVersion else {
            buffer.writeJuteLong(serverId)
            return
        }
        buffer.writeJuteLong(protocolVersion.rawValue)
        buffer.writeJuteLong(serverId)
        let text = addresses.map(\.description).joined(separator: "|")
        buffer.writeJuteInt(Int32(text.utf8.count))
        buffer.writeString(text)
    }
}

extension ElectionHandshake: CustomStringConvertible {
    public var description: String {
        switch protocolVersion {
        case nil: "legacy sid=\(serverId)"
        case .v1: "v1 sid=\(serverId) \(addresses.map(\.description).joined(separator: "|"))"
        case .v2: "v2 sid=\(serverId) \(addresses.map(\.description).joined(separator: "|"))"
        }
    }
}
