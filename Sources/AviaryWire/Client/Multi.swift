import NIOCore

/// Grammar of multi and multiRead (request and response alike):
///
///     multi      = { MultiHeader(type, done=false, err) body } MultiHeader(-1, done=true, -1)
///     MultiHeader = int type, boolean done, int err
public struct MultiHeader: JuteRecord, Sendable, Hashable {
    public var type: Int32
    public var done: Bool
    public var err: Int32

    public init(type: Int32, done: Bool, err: Int32) {
        self.type = type
        self.done = done
        self.err = err
    }

    public static let terminator = MultiHeader(type: -1, done: true, err: -1)

    public init(from reader: inout JuteReader) throws(JuteError) {
        type = try reader.readInt("type")
        done = try reader.readBool("done")
        err = try reader.readInt("err")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteBool(done)
        buffer.writeJuteInt(err)
    }
}

/// One operation of a multi or multiRead request.
public enum MultiOperation: Sendable, Hashable {
    /// create, create2 and createContainer; the op code says which reply shape the client expects.
    case create(CreateRequest, opCode: OpCode)
    case createTTL(CreateTTLRequest)
    case delete(DeleteRequest)
    case setData(SetDataRequest)
    case check(CheckVersionRequest)
    case getData(PathWatchRequest)
    case getChildren(PathWatchRequest)

    public var opCode: OpCode {
        switch self {
        case .create(_, let opCode): opCode
        case .createTTL: .createTTL
        case .delete: .delete
        case .setData: .setData
        case .check: .check
        case .getData: .getData
        case .getChildren: .getChildren
        }
    }

    public var path: String {
        switch self {
        case .create(let request, _): request.path
        case .createTTL(let request): request.path
        case .delete(let request): request.path
        case .setData(let request): request.path
        case .check(let request): request.path
        case .getData(let request), .getChildren(let request): request.path
        }
    }

    static func decode(type: Int32, from reader: inout JuteReader) throws(JuteError) -> MultiOperation {
        switch OpCode(rawValue: type) {
        case .create: return .create(try reader.read(), opCode: .create)
        case .create2: return .create(try reader.read(), opCode: .create2)
        case .createContainer: return .create(try reader.read(), opCode: .createContainer)
        case .createTTL: return .createTTL(try reader.read())
        case .delete: return .delete(try reader.read())
        case .setData: return .setData(try reader.read())
        case .check: return .check(try reader.read())
        case .getData: return .getData(try reader.read())
        case .getChildren: return .getChildren(try reader.read())
        default: throw .invalidValue(field: "multi op type", value: Int64(type))
        }
    }

    func encode(to buffer: inout ByteBuffer) {
        MultiHeader(type: opCode.rawValue, done: false, err: -1).encode(to: &buffer)
        switch self {
        case .create(let request, _): request.encode(to: &buffer)
        case .createTTL(let request): request.encode(to: &buffer)
        case .delete(let request): request.encode(to: &buffer)
        case .setData(let request): request.encode(to: &buffer)
        case .check(let request): request.encode(to: &buffer)
        case .getData(let request), .getChildren(let request): request.encode(to: &buffer)
        }
    }
}

/// The body of a multi or multiRead request.
public struct MultiRequest: JuteRecord, Sendable, Hashable {
    public var operations: [MultiOperation]

    public init(operations: [MultiOperation]) {
        self.operations = operations
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        var operations: [MultiOperation] = []
        while true {
            let header = try MultiHeader(from: &reader)
            if header.done { break }
            operations.append(try MultiOperation.decode(type: header.type, from: &reader))
        }
        self.operations = operations
    }

    public func encode(to buffer: inout ByteBuffer) {
        for operation in operations {
            operation.encode(to: &buffer)
        }
        MultiHeader.terminator.encode(to: &buffer)
    }
}

/// One result of a multi or multiRead response.
public enum MultiResult: Sendable, Hashable {
    case create(path: String)
    case create2(path: String, stat: Stat)
    case delete
    case setData(Stat)
    case check
    case getData(data: [UInt8]?, stat: Stat)
    case getChildren([String])
    case error(Int32)

    var type: OpCode {
        switch self {
        case .create: .create
        case .create2: .create2
        case .delete: .delete
        case .setData: .setData
        case .check: .check
        case .getData: .getData
        case .getChildren: .getChildren
        case .error: .error
        }
    }

    static func encode(_ results: [MultiResult], to buffer: inout ByteBuffer) {
        for result in results {
            let err: Int32 = if case .error(let code) = result { code } else { 0 }
            MultiHeader(type: result.type.rawValue, done: false, err: err).encode(to: &buffer)
            switch result {
            case .create(let path): buffer.writeJuteString(path)
            case .create2(let path, let stat):
                buffer.writeJuteString(path)
                stat.encode(to: &buffer)
            case .delete, .check: break
            case .setData(let stat): stat.encode(to: &buffer)
            case .getData(let data, let stat):
                buffer.writeJuteBuffer(data)
                stat.encode(to: &buffer)
            case .getChildren(let children): buffer.writeJuteStrings(children)
            case .error(let code): buffer.writeJuteInt(code)
            }
        }
        MultiHeader.terminator.encode(to: &buffer)
    }

    static func decodeAll(from reader: inout JuteReader) throws(JuteError) -> [MultiResult] {
        var results: [MultiResult] = []
        while true {
            let header = try MultiHeader(from: &reader)
            if header.done { break }
            switch OpCode(rawValue: header.type) {
            case .create: results.append(.create(path: try reader.readString("path")))
            case .create2, .createContainer, .createTTL:
                results.append(.create2(path: try reader.readString("path"), stat: try reader.read()))
            case .delete: results.append(.delete)
            case .check: results.append(.check)
            case .setData: results.append(.setData(try reader.read()))
            case .getData: results.append(.getData(data: try reader.readBuffer("data"), stat: try reader.read()))
            case .getChildren: results.append(.getChildren(try reader.readStrings("children")))
            case .error: results.append(.error(try reader.readInt("err")))
            default: throw .invalidValue(field: "multi result type", value: Int64(header.type))
            }
        }
        return results
    }
}
