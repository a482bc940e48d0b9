/// Why bytes on the election port could not be read. A handshake or framing error closes the connection; a
/// notification error drops that one message (ZooKeeper's receiver skips it and keeps the connection).
public enum ElectionWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first long was negative but neither V1 (-65536) nor V2 (-65535).
    case unknownHandshakeVersion(Int64)
    /// The handshake's address length is outside 1...`ElectionHandshake.addressBytesMax`.
    case handshakeAddressLength(Int32)
    /// An address in the handshake is not `host:port` (or `[ipv6]:port`) with a port in 0...65535.
    case handshakeAddress(String)
    /// A message length outside 1...`ElectionFrameDecoder.messageBytesMax`.
    case messageLength(Int32)
    /// A notification shorter than the 28 bytes every layout has.
    case notificationTooShort(bytes: Int)
    /// A notification that ends inside a field its own layout promises.
    case notificationTruncated(field: String, bytes: Int)
    /// The config length is negative or longer than the whole message.
    case notificationConfigLength(Int32, messageBytes: Int)
    /// A state other than LOOKING, FOLLOWING, LEADING, OBSERVING.
    case unknownPeerState(Int32)

    public var description: String {
        switch self {
        case .unknownHandshakeVersion(let version):
            "election handshake with unknown protocol version \(version)"
        case .handshakeAddressLength(let length):
            "election handshake address length \(length) outside 1...\(ElectionHandshake.addressBytesMax)"
        case .handshakeAddress(let address):
            "election handshake address '\(address)' is not host:port"
        case .messageLength(let length):
            "election message length \(length) outside 1...\(ElectionFrameDecoder.messageBytesMax)"
        case .notificationTooShort(let bytes):
            "election notification of \(bytes) bytes, fewer than the 28 every layout has"
        case .notificationTruncated(let field, let bytes):
            "election notification of \(bytes) bytes ends inside \(field)"
        case .notificationConfigLength(let length, let messageBytes):
            "election notification config length \(length) outside 0...\(messageBytes) (the message length)"
        case .unknownPeerState(let state):
            "election notification with unknown state \(state)"
        }
    }
}
