import NIOCore

public struct RequestHeader: JuteRecord, Sendable, Hashable {
    public var xid: Int32
    public var type: Int32

    public init(xid: Int32, type: Int32) {
        self.xid = xid
        self.type = type
    }

    public init(xid: Int32, opCode: OpCode) {
        self.init(xid: xid, type: opCode.rawValue)
    }

    public var opCode: OpCode? { OpCode(rawValue: type) }

    public init(from reader: inout JuteReader) throws(JuteError) {
        xid = try reader.readInt("xid")
        type = try reader.readInt("type")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteInt(type)
    }
}

public struct ReplyHeader: JuteRecord, Sendable, Hashable {
    public var xid: Int32
    public var zxid: Int64
    public var err: Int32

    public init(xid: Int32, zxid: Int64, err: Int32 = 0) {
        self.xid = xid
        self.zxid = zxid
        self.err = err
    }

    public init(xid: Int32, zxid: Int64, error: KeeperError?) {
        self.init(xid: xid, zxid: zxid, err: error?.rawValue ?? 0)
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        xid = try reader.readInt("xid")
        zxid = try reader.readLong("zxid")
        err = try reader.readInt("err")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteInt(err)
    }
}

/// The body of a notification (xid -1).
public struct WatcherEvent: JuteRecord, Sendable, Hashable {
    public var type: Int32
    public var state: Int32
    public var path: String

    public init(type: WatchEventType, state: KeeperState = .syncConnected, path: String) {
        self.type = type.rawValue
        self.state = state.rawValue
        self.path = path
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        type = try reader.readInt("type")
        state = try reader.readInt("state")
        path = try reader.readOptionalString("path") ?? ""
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteInt(state)
        buffer.writeJuteString(path)
    }
}
