import NIOCore

/// An identity: an authentication scheme and the id within it (`world:anyone`, `digest:user:hash`, `ip:10.0.0.0/8`).
public struct Id: JuteRecord, Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var id: String

    public init(scheme: String, id: String) {
        self.scheme = scheme
        self.id = id
    }

    public static let anyone = Id(scheme: "world", id: "anyone")
    /// Expands, at create or setACL time, to every identity the session has authenticated.
    public static let creator = Id(scheme: "auth", id: "")

    public init(from reader: inout JuteReader) throws(JuteError) {
        scheme = try reader.readOptionalString("scheme") ?? ""
        id = try reader.readOptionalString("id") ?? ""
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(scheme)
        buffer.writeJuteString(id)
    }

    public var description: String { "\(scheme):\(id)" }
}

/// Permission bits of an ACL entry.
public struct Permissions: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let read = Permissions(rawValue: 1)
    public static let write = Permissions(rawValue: 2)
    public static let create = Permissions(rawValue: 4)
    public static let delete = Permissions(rawValue: 8)
    public static let admin = Permissions(rawValue: 16)
    public static let all = Permissions(rawValue: 31)
}

public struct ACL: JuteRecord, Sendable, Hashable, CustomStringConvertible {
    public var perms: Int32
    public var id: Id

    public init(perms: Int32, id: Id) {
        self.perms = perms
        self.id = id
    }

    public init(_ permissions: Permissions, _ id: Id) {
        self.init(perms: permissions.rawValue, id: id)
    }

    public var permissions: Permissions { Permissions(rawValue: perms) }

    public static let openUnsafe: [ACL] = [ACL(.all, .anyone)]
    public static let creatorAll: [ACL] = [ACL(.all, .creator)]
    public static let readUnsafe: [ACL] = [ACL(.read, .anyone)]

    public init(from reader: inout JuteReader) throws(JuteError) {
        perms = try reader.readInt("perms")
        id = try Id(from: &reader)
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(perms)
        id.encode(to: &buffer)
    }

    public var description: String { "\(id)(\(perms))" }
}

extension JuteReader {
    public mutating func readACLs(_ field: String = "acl") throws(JuteError) -> [ACL] {
        try readVector(field) { (reader: inout JuteReader) throws(JuteError) in try ACL(from: &reader) }
    }
}

extension ByteBuffer {
    public mutating func writeJuteACLs(_ acls: [ACL]?) {
        writeJuteVector(acls) { buffer, acl in acl.encode(to: &buffer) }
    }
}
