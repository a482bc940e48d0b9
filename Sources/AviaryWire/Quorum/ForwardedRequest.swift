import NIOCore

/// The data of REQUEST: a client request that reached a learner and must be ordered by the leader. The client's
/// identities travel in the packet's `authInfo`.
///
///     ForwardedRequest = long sessionId, int cxid, int type, byte[*] request   ; the request fills the rest
///
/// `request` is the client's request body as it arrived (no header, no length), empty for bodiless opcodes such
/// as createSession or closeSession.
public struct ForwardedRequest: JuteRecord, Sendable, Hashable {
    public var sessionId: Int64
    public var cxid: Int32
    /// The client opcode (`OpCode.rawValue`).
    public var type: Int32
    public var request: ByteBuffer

    public init(sessionId: Int64, cxid: Int32, type: Int32, request: ByteBuffer) {
        self.sessionId = sessionId
        self.cxid = cxid
        self.type = type
        self.request = request
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        sessionId = try reader.readLong("sessionId")
        cxid = try reader.readInt("cxid")
        type = try reader.readInt("type")
        request = reader.buffer.readSlice(length: reader.remainingBytes)!
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(sessionId)
        buffer.writeJuteInt(cxid)
        buffer.writeJuteInt(type)
        buffer.writeImmutableBuffer(request)
    }
}
