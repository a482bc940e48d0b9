import NIOCore

/// create, create2 and createContainer share this body.
public struct CreateRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var data: [UInt8]?
    public var acl: [ACL]
    public var flags: Int32

    public init(path: String, data: [UInt8]?, acl: [ACL], flags: Int32) {
        self.path = path
        self.data = data
        self.acl = acl
        self.flags = flags
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        data = try reader.readBuffer("data")
        acl = try reader.readACLs()
        flags = try reader.readInt("flags")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt(flags)
    }
}

public struct CreateTTLRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var data: [UInt8]?
    public var acl: [ACL]
    public var flags: Int32
    public var ttl: Int64

    public init(path: String, data: [UInt8]?, acl: [ACL], flags: Int32, ttl: Int64) {
        self.path = path
        self.data = data
        self.acl = acl
        self.flags = flags
        self.ttl = ttl
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        data = try reader.readBuffer("data")
        acl = try reader.readACLs()
        flags = try reader.readInt("flags")
        ttl = try reader.readLong("ttl")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt(flags)
        buffer.writeJuteLong(ttl)
    }
}

public struct DeleteRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var version: Int32

    public init(path: String, version: Int32 = -1) {
        self.path = path
        self.version = version
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        version = try reader.readInt("version")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(version)
    }
}

public struct SetDataRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var data: [UInt8]?
    public var version: Int32

    public init(path: String, data: [UInt8]?, version: Int32 = -1) {
        self.path = path
        self.data = data
        self.version = version
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        data = try reader.readBuffer("data")
        version = try reader.readInt("version")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteInt(version)
    }
}

public struct SetACLRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var acl: [ACL]
    public var version: Int32

    public init(path: String, acl: [ACL], version: Int32 = -1) {
        self.path = path
        self.acl = acl
        self.version = version
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        acl = try reader.readACLs()
        version = try reader.readInt("version")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt(version)
    }
}

/// `check`: a version assertion, normally inside multi.
public struct CheckVersionRequest: JuteRecord, Sendable, Hashable {
    public var path: String
    public var version: Int32

    public init(path: String, version: Int32) {
        self.path = path
        self.version = version
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        path = try reader.readString("path")
        version = try reader.readInt("version")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(version)
    }
}

public struct ReconfigRequest: JuteRecord, Sendable, Hashable {
    public var joiningServers: String?
    public var leavingServers: String?
    public var newMembers: String?
    public var curConfigId: Int64

    public init(joiningServers: String?, leavingServers: String?, newMembers: String?, curConfigId: Int64) {
        self.joiningServers = joiningServers
        self.leavingServers = leavingServers
        self.newMembers = newMembers
        self.curConfigId = curConfigId
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        joiningServers = try reader.readOptionalString("joiningServers")
        leavingServers = try reader.readOptionalString("leavingServers")
        newMembers = try reader.readOptionalString("newMembers")
        curConfigId = try reader.readLong("curConfigId")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(joiningServers)
        buffer.writeJuteString(leavingServers)
        buffer.writeJuteString(newMembers)
        buffer.writeJuteLong(curConfigId)
    }
}
