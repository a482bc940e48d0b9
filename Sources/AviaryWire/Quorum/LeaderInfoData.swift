import NIOCore

/// The data of LEADERINFO: the leader's protocol version (`LearnerInfo.currentProtocolVersion` since 3.4).
///
///     LeaderInfoData = int protocolVersion
public struct LeaderInfoData: JuteRecord, Sendable, Hashable {
    public var protocolVersion: Int32

    public init(protocolVersion: Int32 = LearnerInfo.currentProtocolVersion) {
        self.protocolVersion = protocolVersion
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        protocolVersion = try reader.readInt("protocolVersion")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
    }
}
