import NIOCore

public struct ClientInfo: JuteRecord, Sendable, Hashable {
    public var authScheme: String
    public var user: String

    public init(authScheme: String, user: String) {
        self.authScheme = authScheme
        self.user = user
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        authScheme = try reader.readOptionalString("authScheme") ?? ""
        user = try reader.readOptionalString("user") ?? ""
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteString(authScheme)
        buffer.writeJuteString(user)
    }
}

/// The body that follows a successful `ReplyHeader`, one case per response record of the protocol.
public enum ResponseBody: Sendable, Hashable {
    /// Header-only replies: delete, check, setWatches, checkWatches, removeWatches, ping, auth, closeSession.
    case empty
    case create(path: String)
    case create2(path: String, stat: Stat)
    /// exists, setData and setACL reply with a bare Stat.
    case stat(Stat)
    case getData(data: [UInt8]?, stat: Stat)
    case getACL(acl: [ACL], stat: Stat)
    case getChildren(children: [String])
    case getChildren2(children: [String], stat: Stat)
    case sync(path: String)
    /// addWatch replies with an `ErrorResponse`; so does a failed op inside multi.
    case error(Int32)
    case getEphemerals(paths: [String])
    case getAllChildrenNumber(Int32)
    case whoAmI([ClientInfo])
    case sasl(token: [UInt8]?)
    case multi([MultiResult])

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .empty:
            break
        case .create(let path), .sync(let path):
            buffer.writeJuteString(path)
        case .create2(let path, let stat):
            buffer.writeJuteString(path)
            stat.encode(to: &buffer)
        case .stat(let stat):
            stat.encode(to: &buffer)
        case .getData(let data, let stat):
            buffer.writeJuteBuffer(data)
            stat.encode(to: &buffer)
        case .getACL(let acl, let stat):
            buffer.writeJuteACLs(acl)
            stat.encode(to: &buffer)
        case .getChildren(let children), .getEphemerals(let children):
            buffer.writeJuteStrings(children)
        case .getChildren2(let children, let stat):
            buffer.writeJuteStrings(children)
            stat.encode(to: &buffer)
        case .error(let code), .getAllChildrenNumber(let code):
            buffer.writeJuteInt(code)
        case .whoAmI(let infos):
            buffer.writeJuteVector(infos) { buffer, info in info.encode(to: &buffer) }
        case .sasl(let token):
            buffer.writeJuteBuffer(token)
        case .multi(let results):
            MultiResult.encode(results, to: &buffer)
        }
    }

    /// Decodes the body of a successful reply to a request of type `opCode`.
    public static func decode(opCode: OpCode, from reader: inout JuteReader) throws(JuteError) -> ResponseBody {
        switch opCode {
        case .create:
            return .create(path: try reader.readString("path"))
        case .create2, .createContainer, .createTTL:
            return .create2(path: try reader.readString("path"), stat: try reader.read())
        case .exists, .setData, .setACL:
            return .stat(try reader.read())
        case .getData:
            return .getData(data: try reader.readBuffer("data"), stat: try reader.read())
        case .getACL:
            return .getACL(acl: try reader.readACLs(), stat: try reader.read())
        case .getChildren:
            return .getChildren(children: try reader.readStrings("children"))
        case .getChildren2:
            return .getChildren2(children: try reader.readStrings("children"), stat: try reader.read())
        case .sync:
            return .sync(path: try reader.readString("path"))
        case .addWatch:
            return .error(try reader.readInt("err"))
        case .getEphemerals:
            return .getEphemerals(paths: try reader.readStrings("ephemerals"))
        case .getAllChildrenNumber:
            return .getAllChildrenNumber(try reader.readInt("totalNumber"))
        case .whoAmI:
            return .whoAmI(
                try reader.readVector("clientInfo") { (reader: inout JuteReader) throws(JuteError) in
                    try ClientInfo(from: &reader)
                })
        case .sasl:
            return .sasl(token: try reader.readBuffer("token"))
        case .multi, .multiRead:
            return .multi(try MultiResult.decodeAll(from: &reader))
        case .reconfig:
            return .getData(data: try reader.readBuffer("data"), stat: try reader.read())
        default:
            return .empty
        }
    }
}
