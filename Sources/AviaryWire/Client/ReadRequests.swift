import NIOCore

/// The body shared by requests that name a node and ask whether to leave a watch:
/// exists, getData, getChildren and getChildren2.
public struct PathWatchRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var watch: Bool

    public init(path: String, watch: Bool = false) {
        self.path = path
        self.watch = watch
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        watch = try reader.readBool("watch")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBool(watch)
    }
}

/// The body shared by requests that only name a path: getACL, sync, getEphemerals, getAllChildrenNumber.
/// Also the body of `SyncResponse`.
public struct PathRequest: JuteRecord, Sendable, Hashable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
    }
}

/// checkWatches, removeWatches (type is a `WatcherType`) and addWatch (type is an `AddWatchMode`).
public struct PathTypeRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var type: Int32

    public init(path: String, type: Int32) {
        self.path = path
        self.type = type
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        type = try reader.readInt("type")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(type)
    }
}

/// setWatches (opcode 101, three lists) and setWatches2 (opcode 105, five lists), re-sent after a reconnect.
public struct SetWatchesRequest: Sendable, Hashable {
    public var relativeZxid: Int64
    public var dataWatches: [String]
    public var existWatches: [String]
    public var childWatches: [String]
    public var persistentWatches: [String]
    public var persistentRecursiveWatches: [String]

    public init(
        relativeZxid: Int64, dataWatches: [String] = [], existWatches: [String] = [], childWatches: [String] = [],
        persistentWatches: [String] = [], persistentRecursiveWatches: [String] = []
    ) {
        self.relativeZxid = relativeZxid
        self.dataWatches = dataWatches
        self.existWatches = existWatches
        self.childWatches = childWatches
        self.persistentWatches = persistentWatches
        self.persistentRecursiveWatches = persistentRecursiveWatches
    }

    public init(from reader: inout JuteReader, hasPersistentLists: Bool) throws(JuteError) {
        relativeZxid = try reader.readLong("relativeZxid")
        dataWatches = try reader.readStrings("dataWatches")
        existWatches = try reader.readStrings("existWatches")
        childWatches = try reader.readStrings("childWatches")
        if hasPersistentLists {
            persistentWatches = try reader.readStrings("persistentWatches")
            persistentRecursiveWatches = try reader.readStrings("persistentRecursiveWatches")
        } else {
            persistentWatches = []
            persistentRecursiveWatches = []
        }
    }

    public func encode(to buffer: inout ByteBuffer, hasPersistentLists: Bool) {
        buffer.writeJuteLong(relativeZxid)
        buffer.writeJuteStrings(dataWatches)
        buffer.writeJuteStrings(existWatches)
        buffer.writeJuteStrings(childWatches)
        if hasPersistentLists {
            buffer.writeJuteStrings(persistentWatches)
            buffer.writeJuteStrings(persistentRecursiveWatches)
        }
    }
}

/// `GetSASLRequest` and `SetSASLResponse`: an opaque token.
public struct SASLToken: JuteRecord, Sendable, Hashable {
    public var token: [UInt8]?

    public init(token: [UInt8]?) {
        self.token = token
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        token = try reader.readBuffer("token")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteBuffer(token)
    }
}
