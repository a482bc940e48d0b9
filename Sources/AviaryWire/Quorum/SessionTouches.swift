import NIOCore

/// The data of a learner's PING reply: the sessions its clients touched since the last one, so the leader (which
/// alone expires sessions) can push their deadlines back.
///
///     SessionTouches = *(long sessionId, int timeout)      ; no count: the pairs fill the data
///
/// ZooKeeper sends them in its HashMap's order; the order is kept so a reply re-encodes to the same bytes.
public struct SessionTouches: JuteRecord, Sendable, Hashable {
    public struct Touch: Sendable, Hashable {
        public var sessionId: Int64
        public var timeoutMillis: Int32

        public init(sessionId: Int64, timeoutMillis: Int32) {
            self.sessionId = sessionId
            self.timeoutMillis = timeoutMillis
        }
    }

    public var touches: [Touch]

    public init(_ touches: [Touch]) {
        self.touches = touches
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        guard reader.remainingBytes % 12 == 0 else { throw .trailingBytes(count: reader.remainingBytes % 12) }
        touches = []
        touches.reserveCapacity(reader.remainingBytes / 12)
        while !reader.isAtEnd {
            let sessionId = try reader.readLong("sessionId")
            let timeout = try reader.readInt("timeout")
            touches.append(Touch(sessionId: sessionId, timeoutMillis: timeout))
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        for touch in touches {
            buffer.writeJuteLong(touch.sessionId)
            buffer.writeJuteInt(touch.timeoutMillis)
        }
    }
}
