import NIOCore

/// The data of a learner's REVALIDATE: a client re-attached a session here; is it still alive, and renew it with
/// this timeout.
///
///     RevalidateRequest = long sessionId, int timeout
public struct RevalidateRequest: JuteRecord, Sendable, Hashable {
    public var sessionId: Int64
    public var timeoutMillis: Int32

    public init(sessionId: Int64, timeoutMillis: Int32) {
        self.sessionId = sessionId
        self.timeoutMillis = timeoutMillis
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        sessionId = try reader.readLong("sessionId")
        timeoutMillis = try reader.readInt("timeout")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(sessionId)
        buffer.writeJuteInt(timeoutMillis)
    }
}
