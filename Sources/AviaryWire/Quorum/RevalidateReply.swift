import NIOCore

/// The data of the leader's REVALIDATE answer. ZooKeeper sends it in the learner's own packet (zxid -1, no
/// authinfo) with the data replaced.
///
///     RevalidateReply = long sessionId, boolean valid
public struct RevalidateReply: JuteRecord, Sendable, Hashable {
    public var sessionId: Int64
    public var valid: Bool

    public init(sessionId: Int64, valid: Bool) {
        self.sessionId = sessionId
        self.valid = valid
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        sessionId = try reader.readLong("sessionId")
        valid = try reader.readBool("valid")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(sessionId)
        buffer.writeJuteBool(valid)
    }
}
