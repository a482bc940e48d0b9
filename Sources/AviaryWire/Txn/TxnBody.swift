import NIOCore

/// The body of a transaction, selected by `TxnHeader.type`.
///
///     create, create2   -> CreateTxn          { path, buffer data, vector<ACL> acl, boolean ephemeral, int parentCVersion }
///     createContainer   -> CreateContainerTxn { path, data, acl, int parentCVersion }
///     createTTL         -> CreateTTLTxn       { path, data, acl, int parentCVersion, long ttl }
///     delete, deleteContainer -> DeleteTxn    { path }
///     setData, reconfig -> SetDataTxn         { path, data, int version }
///     setACL            -> SetACLTxn          { path, acl, int version }
///     check             -> CheckVersionTxn    { path, int version }
///     createSession     -> CreateSessionTxn   { int timeOut }
///     closeSession      -> CloseSessionTxn    { vector<ustring> paths2Delete }   (absent in pre-3.6 logs)
///     error             -> ErrorTxn           { int err }
///     multi             -> MultiTxn           { vector<Txn{int type, buffer data}> }
public enum TxnBody: Sendable, Hashable {
    case create(path: String, data: [UInt8]?, acl: [ACL], ephemeral: Bool, parentCVersion: Int32, opCode: OpCode)
    case createContainer(path: String, data: [UInt8]?, acl: [ACL], parentCVersion: Int32)
    case createTTL(path: String, data: [UInt8]?, acl: [ACL], parentCVersion: Int32, ttl: Int64)
    case delete(path: String, opCode: OpCode)
    case setData(path: String, data: [UInt8]?, version: Int32, opCode: OpCode)
    case setACL(path: String, acl: [ACL], version: Int32)
    case check(path: String, version: Int32)
    case createSession(timeOutMillis: Int32)
    case closeSession(pathsToDelete: [String]?)
    case error(Int32)
    case multi([TxnBody])

    public var opCode: OpCode {
        switch self {
        case .create(_, _, _, _, _, let opCode): opCode
        case .createContainer: .createContainer
        case .createTTL: .createTTL
        case .delete(_, let opCode): opCode
        case .setData(_, _, _, let opCode): opCode
        case .setACL: .setACL
        case .check: .check
        case .createSession: .createSession
        case .closeSession: .closeSession
        case .error: .error
        case .multi: .multi
        }
    }

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion, _):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteBool(ephemeral)
            buffer.writeJuteInt(parentCVersion)
        case .createContainer(let path, let data, let acl, let parentCVersion):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(parentCVersion)
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(parentCVersion)
            buffer.writeJuteLong(ttl)
        case .delete(let path, _):
            buffer.writeJuteString(path)
        case .setData(let path, let data, let version, _):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteInt(version)
        case .setACL(let path, let acl, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(version)
        case .check(let path, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteInt(version)
        case .createSession(let timeOut):
            buffer.writeJuteInt(timeOut)
        case .closeSession(let paths):
            if let paths { buffer.writeJuteStrings(paths) }
        case .error(let code):
            buffer.writeJuteInt(code)
        case .multi(let bodies):
            buffer.writeJuteInt(Int32(bodies.count))
            for body in bodies {
                buffer.writeJuteInt(body.opCode.rawValue)
                let lengthIndex = buffer.writerIndex
                buffer.writeJuteInt(0)
                let start = buffer.writerIndex
                body.encode(to: &buffer)
                buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex, endianness: .big)
            }
        }
    }

    public static func decode(type: Int32, from reader: inout JuteReader) throws(JuteError) -> TxnBody {
        guard let opCode = OpCode(rawValue: type) else { throw .invalidValue(field: "txn type", value: Int64(type)) }
        switch opCode {
        case .create, .create2:
            return .create(
                path: try reader.readString("path"), data: try reader.readBuffer("data"), acl: try reader.readACLs(),
                ephemeral: try reader.readBool("ephemeral"), parentCVersion: try reader.readInt("parentCVersion"),
                opCode: opCode)
        case .createContainer:
            return .createContainer(
                path: try reader.readString("path"), data: try reader.readBuffer("data"), acl: try reader.readACLs(),
                parentCVersion: try reader.readInt("parentCVersion"))
        case .createTTL:
            return .createTTL(
                path: try reader.readString("path"), data: try reader.readBuffer("data"), acl: try reader.readACLs(),
                parentCVersion: try reader.readInt("parentCVersion"), ttl: try reader.readLong("ttl"))
        case .delete, .deleteContainer:
            return .delete(path: try reader.readString("path"), opCode: opCode)
        case .setData, .reconfig:
            return .setData(
                path: try reader.readString("path"), data: try reader.readBuffer("data"),
                version: try reader.readInt("version"), opCode: opCode)
        case .setACL:
            return .setACL(path: try reader.readString("path"), acl: try reader.readACLs(), version: try reader.readInt("version"))
        case .check:
            return .check(path: try reader.readString("path"), version: try reader.readInt("version"))
        case .createSession:
            return .createSession(timeOutMillis: try reader.readInt("timeOut"))
        case .closeSession:
            // Logs written before 3.6 carry no body; a digest may follow a 3.6+ body.
            if reader.isAtEnd { return .closeSession(pathsToDelete: nil) }
            return .closeSession(pathsToDelete: try reader.readStrings("paths2Delete"))
        case .error:
            return .error(try reader.readInt("err"))
        case .multi:
            let count = try reader.readInt("txns")
            guard count >= 0, Int(count) <= reader.remainingBytes else { throw .badLength(field: "txns", length: count) }
            var bodies: [TxnBody] = []
            for _ in 0..<count {
                let subType = try reader.readInt("type")
                guard let data = try reader.readBuffer("data") else { throw .unexpectedNull(field: "txn data") }
                var subReader = JuteReader(ByteBuffer(bytes: data))
                bodies.append(try decode(type: subType, from: &subReader))
                try subReader.expectEnd()
            }
            return .multi(bodies)
        default:
            throw .invalidValue(field: "txn type", value: Int64(type))
        }
    }
}
