import NIOCore

/// A znode's metadata as the client protocol carries it.
public struct Stat: JuteRecord, Sendable, Hashable {
    public var czxid: Int64
    public var mzxid: Int64
    public var ctime: Int64
    public var mtime: Int64
    public var version: Int32
    public var cversion: Int32
    public var aversion: Int32
    public var ephemeralOwner: Int64
    public var dataLength: Int32
    public var numChildren: Int32
    public var pzxid: Int64

    public init(
        czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0, version: Int32 = 0,
        cversion: Int32 = 0, aversion: Int32 = 0, ephemeralOwner: Int64 = 0, dataLength: Int32 = 0,
        numChildren: Int32 = 0, pzxid: Int64 = 0
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.dataLength = dataLength
        self.numChildren = numChildren
        self.pzxid = pzxid
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        czxid = try reader.readLong("czxid")
        mzxid = try reader.readLong("mzxid")
        ctime = try reader.readLong("ctime")
        mtime = try reader.readLong("mtime")
        version = try reader.readInt("version")
        cversion = try reader.readInt("cversion")
        aversion = try reader.readInt("aversion")
        ephemeralOwner = try reader.readLong("ephemeralOwner")
        dataLength = try reader.readInt("dataLength")
        numChildren = try reader.readInt("numChildren")
        pzxid = try reader.readLong("pzxid")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(czxid)
        buffer.writeJuteLong(mzxid)
        buffer.writeJuteLong(ctime)
        buffer.writeJuteLong(mtime)
        buffer.writeJuteInt(version)
        buffer.writeJuteInt(cversion)
        buffer.writeJuteInt(aversion)
        buffer.writeJuteLong(ephemeralOwner)
        buffer.writeJuteInt(dataLength)
        buffer.writeJuteInt(numChildren)
        buffer.writeJuteLong(pzxid)
    }
}

/// The on-disk form of Stat (snapshots): no dataLength, no numChildren.
public struct StatPersisted: JuteRecord, Sendable, Hashable {
    public var czxid: Int64
    public var mzxid: Int64
    public var ctime: Int64
    public var mtime: Int64
    public var version: Int32
    public var cversion: Int32
    public var aversion: Int32
    public var ephemeralOwner: Int64
    public var pzxid: Int64

    public init(
        czxid: Int64, mzxid: Int64, ctime: Int64, mtime: Int64, version: Int32, cversion: Int32,
        aversion: Int32, ephemeralOwner: Int64, pzxid: Int64
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.pzxid = pzxid
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        czxid = try reader.readLong("czxid")
        mzxid = try reader.readLong("mzxid")
        ctime = try reader.readLong("ctime")
        mtime = try reader.readLong("mtime")
        version = try reader.readInt("version")
        cversion = try reader.readInt("cversion")
        aversion = try reader.readInt("aversion")
        ephemeralOwner = try reader.readLong("ephemeralOwner")
        pzxid = try reader.readLong("pzxid")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(czxid)
        buffer.writeJuteLong(mzxid)
        buffer.writeJuteLong(ctime)
        buffer.writeJuteLong(mtime)
        buffer.writeJuteInt(version)
        buffer.writeJuteInt(cversion)
        buffer.writeJuteInt(aversion)
        buffer.writeJuteLong(ephemeralOwner)
        buffer.writeJuteLong(pzxid)
    }
}
