import NIOCore

/// The unit of the learner port: written as a bare jute record, one after another, with no length frame.
///
///     QuorumPacket = int type, long zxid, buffer data, vector<Id> authinfo
///
/// `type` stays a raw Int32 so an unknown type from a newer peer can be carried (and logged) rather than refused
/// by the decoder; `packetType` names the known ones. ZooKeeper writes a null `authinfo` (-1) for every packet
/// except a forwarded REQUEST, and null differs from empty on the wire, so both `data` and `authInfo` keep nil
/// apart from empty: re-encoding a received packet gives back its exact bytes.
public struct QuorumPacket: JuteRecord, Sendable, Hashable {
    public var type: Int32
    public var zxid: Int64
    public var data: ByteBuffer?
    public var authInfo: [Id]?

    public init(type: Int32, zxid: Int64, data: ByteBuffer? = nil, authInfo: [Id]? = nil) {
        self.type = type
        self.zxid = zxid
        self.data = data
        self.authInfo = authInfo
    }

    public init(_ type: QuorumPacketType, zxid: Int64, data: ByteBuffer? = nil, authInfo: [Id]? = nil) {
        self.init(type: type.rawValue, zxid: zxid, data: data, authInfo: authInfo)
    }

    /// The packet's type if it is one ZooKeeper 3.8 defines.
    public var packetType: QuorumPacketType? { QuorumPacketType(rawValue: type) }

    public init(from reader: inout JuteReader) throws(JuteError) {
        type = try reader.readInt("type")
        zxid = try reader.readLong("zxid")
        data = try reader.readByteBuffer("data")
        authInfo = try reader.readOptionalVector("authinfo") { (reader: inout JuteReader) throws(JuteError) in
            try Id(from: &reader)
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteByteBuffer(data)
        buffer.writeJuteVector(authInfo) { buffer, id in id.encode(to: &buffer) }
    }
}

extension QuorumPacket: CustomStringConvertible {
    public var description: String {
        let name = packetType?.description ?? "type \(type)"
        let dataText = data.map { "\($0.readableBytes) bytes" } ?? "null"
        return "\(name) zxid=0x\(String(UInt64(bitPattern: zxid), radix: 16)) data=\(dataText)"
    }
}
