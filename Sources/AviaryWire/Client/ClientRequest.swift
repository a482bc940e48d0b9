import NIOCore

/// A decoded client request body, one case per opcode the server answers.
public enum ClientRequest: JuteEncodable, Sendable, Hashable {
    case create(CreateRequest, opCode: OpCode)
    case createTTL(CreateTTLRequest)
    case delete(DeleteRequest)
    case exists(PathWatchRequest)
    case getData(PathWatchRequest)
    case setData(SetDataRequest)
    case getACL(PathRequest)
    case setACL(SetACLRequest)
    case getChildren(PathWatchRequest)
    case getChildren2(PathWatchRequest)
    case sync(PathRequest)
    case ping
    case check(CheckVersionRequest)
    case multi(MultiRequest)
    case multiRead(MultiRequest)
    case reconfig(ReconfigRequest)
    case checkWatches(PathTypeRequest)
    case removeWatches(PathTypeRequest)
    case auth(AuthPacket)
    case setWatches(SetWatchesRequest, opCode: OpCode)
    case sasl(SASLToken)
    case getEphemerals(PathRequest)
    case getAllChildrenNumber(PathRequest)
    case addWatch(PathTypeRequest)
    case whoAmI
    case closeSession

    public var opCode: OpCode {
        switch self {
        case .create(_, let opCode): opCode
        case .createTTL: .createTTL
        case .delete: .delete
        case .exists: .exists
        case .getData: .getData
        case .setData: .setData
        case .getACL: .getACL
        case .setACL: .setACL
        case .getChildren: .getChildren
        case .getChildren2: .getChildren2
        case .sync: .sync
        case .ping: .ping
        case .check: .check
        case .multi: .multi
        case .multiRead: .multiRead
        case .reconfig: .reconfig
        case .checkWatches: .checkWatches
        case .removeWatches: .removeWatches
        case .auth: .auth
        case .setWatches(_, let opCode): opCode
        case .sasl: .sasl
        case .getEphemerals: .getEphemerals
        case .getAllChildrenNumber: .getAllChildrenNumber
        case .addWatch: .addWatch
        case .whoAmI: .whoAmI
        case .closeSession: .closeSession
        }
    }

    /// Decodes the body of a request of type `opCode`. Returns nil for an opcode the server does not answer
    /// (the caller replies UNIMPLEMENTED, as ZooKeeper does).
    public static func decode(opCode: OpCode, from reader: inout JuteReader) throws(JuteError) -> ClientRequest? {
        switch opCode {
        case .create, .create2, .createContainer: return .create(try reader.read(), opCode: opCode)
        case .createTTL: return .createTTL(try reader.read())
        case .delete: return .delete(try reader.read())
        case .exists: return .exists(try reader.read())
        case .getData: return .getData(try reader.read())
        case .setData: return .setData(try reader.read())
        case .getACL: return .getACL(try reader.read())
        case .setACL: return .setACL(try reader.read())
        case .getChildren: return .getChildren(try reader.read())
        case .getChildren2: return .getChildren2(try reader.read())
        case .sync: return .sync(try reader.read())
        case .ping: return .ping
        case .check: return .check(try reader.read())
        case .multi: return .multi(try reader.read())
        case .multiRead: return .multiRead(try reader.read())
        case .reconfig: return .reconfig(try reader.read())
        case .checkWatches: return .checkWatches(try reader.read())
        case .removeWatches: return .removeWatches(try reader.read())
        case .auth: return .auth(try reader.read())
        case .setWatches: return .setWatches(try SetWatchesRequest(from: &reader, hasPersistentLists: false), opCode: opCode)
        case .setWatches2: return .setWatches(try SetWatchesRequest(from: &reader, hasPersistentLists: true), opCode: opCode)
        case .sasl: return .sasl(try reader.read())
        case .getEphemerals: return .getEphemerals(try reader.read())
        case .getAllChildrenNumber: return .getAllChildrenNumber(try reader.read())
        case .addWatch: return .addWatch(try reader.read())
        case .whoAmI: return .whoAmI
        case .closeSession: return .closeSession
        case .notification, .deleteContainer, .createSession, .error: return nil
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .create(let request, _): request.encode(to: &buffer)
        case .createTTL(let request): request.encode(to: &buffer)
        case .delete(let request): request.encode(to: &buffer)
        case .exists(let request), .getData(let request), .getChildren(let request), .getChildren2(let request):
            request.encode(to: &buffer)
        case .setData(let request): request.encode(to: &buffer)
        case .getACL(let request), .sync(let request), .getEphemerals(let request), .getAllChildrenNumber(let request):
            request.encode(to: &buffer)
        case .setACL(let request): request.encode(to: &buffer)
        case .check(let request): request.encode(to: &buffer)
        case .multi(let request), .multiRead(let request): request.encode(to: &buffer)
        case .reconfig(let request): request.encode(to: &buffer)
        case .checkWatches(let request), .removeWatches(let request), .addWatch(let request):
            request.encode(to: &buffer)
        case .auth(let packet): packet.encode(to: &buffer)
        case .setWatches(let request, let opCode):
            request.encode(to: &buffer, hasPersistentLists: opCode == .setWatches2)
        case .sasl(let token): token.encode(to: &buffer)
        case .ping, .whoAmI, .closeSession: break
        }
    }
}
