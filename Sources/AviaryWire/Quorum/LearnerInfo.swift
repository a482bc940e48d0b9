import NIOCore

/// The data of FOLLOWERINFO and OBSERVERINFO: who the learner is and which protocol and config it runs.
///
///     LearnerInfo = long serverid, int protocolVersion, long configVersion
///
/// Learners since 3.5 send all 20 bytes. Older ones sent less, so a leader reads the data leniently with
/// `decodeLeniently`; the strict jute decoding is for tests and tools.
public struct LearnerInfo: JuteRecord, Sendable, Hashable {
    /// The protocol of every learner since ZooKeeper 3.4 ("1.0" in Zab terms): it takes LEADERINFO and
    /// answers ACKEPOCH.
    public static let currentProtocolVersion: Int32 = 0x10000
    /// What a leader assumes when the learner did not send a protocol version: the pre-LEADERINFO handshake.
    public static let assumedProtocolVersion: Int32 = 0x1

    public var serverId: Int64
    public var protocolVersion: Int32
    public var configVersion: Int64

    public init(serverId: Int64, protocolVersion: Int32 = Self.currentProtocolVersion, configVersion: Int64) {
        self.serverId = serverId
        self.protocolVersion = protocolVersion
        self.configVersion = configVersion
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        serverId = try reader.readLong("serverid")
        protocolVersion = try reader.readInt("protocolVersion")
        configVersion = try reader.readLong("configVersion")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(serverId)
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteLong(configVersion)
    }
}

extension LearnerInfo {
    /// FOLLOWERINFO/OBSERVERINFO data as ZooKeeper's `LearnerHandler.run` reads it: each field only when all of
    /// its bytes are present, bytes after the last field ignored.
    public struct Received: Sendable, Hashable {
        /// Nil when the data was null: the learner did not say who it is and the leader numbers it itself
        /// (ZooKeeper counts down from -1). Data of 1 to 7 bytes also names no server; ZooKeeper then keeps its
        /// default id 0, which `decodeLeniently` reports as 0 so that the leader can do the same.
        public var serverId: Int64?
        /// `assumedProtocolVersion` when absent.
        public var protocolVersion: Int32
        /// Nil when absent: the leader then skips its "learner has a later config" check.
        public var configVersion: Int64?

        public init(serverId: Int64?, protocolVersion: Int32, configVersion: Int64?) {
            self.serverId = serverId
            self.protocolVersion = protocolVersion
            self.configVersion = configVersion
        }
    }

    public static func decodeLeniently(_ data: ByteBuffer?) -> Received {
        guard let data else {
            return Received(serverId: nil, protocolVersion: assumedProtocolVersion, configVersion: nil)
        }
        // By the total length, as ZooKeeper does: 7 bytes name no server and still give no protocol version.
        let start = data.readerIndex
        let length = data.readableBytes
        return Received(
            serverId: length >= 8 ? data.getInteger(at: start, endianness: .big, as: Int64.self)! : 0,
            protocolVersion: length >= 12
                ? data.getInteger(at: start + 8, endianness: .big, as: Int32.self)! : assumedProtocolVersion,
            configVersion: length >= 20 ? data.getInteger(at: start + 12, endianness: .big, as: Int64.self)! : nil)
    }
}
