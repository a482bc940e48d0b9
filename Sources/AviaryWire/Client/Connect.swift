import NIOCore

/// The first frame of a client connection; it has no RequestHeader.
///
/// Clients since 3.4 append a `readOnly` byte that older clients omit; `hasReadOnlyByte` records which kind
/// of client this is, so the reply can be shaped the same way.
public struct ConnectRequest: JuteRecord, Sendable, Hashable {
    public var protocolVersion: Int32
    public var lastZxidSeen: Int64
    public var timeOutMillis: Int32
    public var sessionId: Int64
    public var passwd: [UInt8]
    public var readOnly: Bool
    public var hasReadOnlyByte: Bool

    public init(
        protocolVersion: Int32 = 0, lastZxidSeen: Int64 = 0, timeOutMillis: Int32, sessionId: Int64 = 0,
        passwd: [UInt8] = [UInt8](repeating: 0, count: 16), readOnly: Bool = false, hasReadOnlyByte: Bool = true
    ) {
        self.protocolVersion = protocolVersion
        self.lastZxidSeen = lastZxidSeen
        self.timeOutMillis = timeOutMillis
        self.sessionId = sessionId
        self.passwd = passwd
        self.readOnly = readOnly
        self.hasReadOnlyByte = hasReadOnlyByte
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        protocolVersion = try reader.readInt("protocolVersion")
        lastZxidSeen = try reader.readLong("lastZxidSeen")
        timeOutMillis = try reader.readInt("timeOut")
        sessionId = try reader.readLong("sessionId")
        passwd = try reader.readBuffer("passwd") ?? []
        if reader.isAtEnd {
            readOnly = false
            hasReadOnlyByte = false
        } else {
            readOnly = try reader.readBool("readOnly")
            hasReadOnlyByte = true
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteLong(lastZxidSeen)
        buffer.writeJuteInt(timeOutMillis)
        buffer.writeJuteLong(sessionId)
        buffer.writeJuteBuffer(passwd)
        if hasReadOnlyByte { buffer.writeJuteBool(readOnly) }
    }
}

public struct ConnectResponse: JuteRecord, Sendable, Hashable {
    public var protocolVersion: Int32
    public var timeOutMillis: Int32
    public var sessionId: Int64
    public var passwd: [UInt8]
    public var readOnly: Bool
    public var hasReadOnlyByte: Bool

    public init(
        protocolVersion: Int32 = 0, timeOutMillis: Int32, sessionId: Int64, passwd: [UInt8], readOnly: Bool = false,
        hasReadOnlyByte: Bool = true
    ) {
        self.protocolVersion = protocolVersion
        self.timeOutMillis = timeOutMillis
        self.sessionId = sessionId
        self.passwd = passwd
        self.readOnly = readOnly
        self.hasReadOnlyByte = hasReadOnlyByte
    }

    /// The reply to a refused or expired session: zero timeout, zero id, zero password.
    public static func rejected(hasReadOnlyByte: Bool) -> ConnectResponse {
        ConnectResponse(
            timeOutMillis: 0, sessionId: 0, passwd: [UInt8](repeating: 0, count: 16), hasReadOnlyByte: hasReadOnlyByte)
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        protocolVersion = try reader.readInt("protocolVersion")
        timeOutMillis = try reader.readInt("timeOut")
        sessionId = try reader.readLong("sessionId")
        passwd = try reader.readBuffer("passwd") ?? []
        if reader.isAtEnd {
            readOnly = false
            hasReadOnlyByte = false
        } else {
            readOnly = try reader.readBool("readOnly")
            hasReadOnlyByte = true
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteInt(timeOutMillis)
        buffer.writeJuteLong(sessionId)
        buffer.writeJuteBuffer(passwd)
        if hasReadOnlyByte { buffer.writeJuteBool(readOnly) }
    }
}

/// `AuthPacket`, sent with xid -4 and type 100.
public struct AuthPacket: JuteRecord, Sendable, Hashable {
    public var type: Int32
    public var scheme: String
    public var auth: [UInt8]

    public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
        self.type = type
        self.scheme = scheme
        self.auth = auth
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        type = try reader.readInt("type")
        scheme = try reader.readOptionalString("scheme") ?? ""
        auth = try reader.readBuffer("auth") ?? []
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteString(scheme)
        buffer.writeJuteBuffer(auth)
    }
}
