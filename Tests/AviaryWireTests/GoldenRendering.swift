import AviaryWire

/// Renders decoded records in the notation of the golden manifest's `decoded` column, so a decoded frame can be
/// compared with what the capture tool saw, field by field.
enum GoldenRendering {
    static func connectRequest(_ request: ConnectRequest, length: Int) -> String {
        "len=\(length) protocolVersion=\(request.protocolVersion) lastZxidSeen=\(hex(request.lastZxidSeen))"
            + " timeOut=\(request.timeOutMillis) sessionId=\(hex(request.sessionId)) passwd=\(hexBytes(request.passwd))"
            + " readOnly=\(request.readOnly)"
    }

    static func connectResponse(_ response: ConnectResponse, length: Int) -> String {
        "len=\(length) protocolVersion=\(response.protocolVersion) timeOut=\(response.timeOutMillis)"
            + " sessionId=\(hex(response.sessionId)) passwd=\(hexBytes(response.passwd)) readOnly=\(response.readOnly)"
    }

    static func request(_ header: RequestHeader, _ request: ClientRequest, length: Int) -> String {
        "len=\(length) xid=\(header.xid) type=\(opCodeText(header.type))" + requestBody(request)
    }

    static func reply(_ header: ReplyHeader, requestType: OpCode, _ body: ResponseBody, length: Int) -> String {
        "len=\(length) xid=\(header.xid) (reply to type=\(opCodeText(requestType.rawValue))) zxid=\(zxid(header.zxid))"
            + " err=\(errText(header.err))" + responseBody(body)
    }

    static func notification(_ header: ReplyHeader, _ event: WatcherEvent, length: Int) -> String {
        "len=\(length) xid=\(header.xid) zxid=\(zxid(header.zxid)) err=\(header.err)"
            + " event.type=\(event.type)(\(eventTypeName(event.type)))"
            + " event.state=\(event.state)(\(stateName(event.state)))"
            + " event.path=\(event.path)"
    }

    // MARK: - Bodies

    static func requestBody(_ request: ClientRequest) -> String {
        switch request {
        case .create(let create, _):
            return " " + createFields(create.path, create.data, create.acl, create.flags)
        case .createTTL(let create):
            return " " + createFields(create.path, create.data, create.acl, create.flags) + " ttl=\(create.ttl)"
        case .delete(let delete):
            return " path=\(delete.path) version=\(delete.version)"
        case .exists(let get), .getData(let get), .getChildren(let get), .getChildren2(let get):
            return " path=\(get.path) watch=\(get.watch)"
        case .setData(let set):
            return " path=\(set.path) data=\(data(set.data)) version=\(set.version)"
        case .getACL(let get), .sync(let get), .getEphemerals(let get), .getAllChildrenNumber(let get):
            return " path=\(get.path)"
        case .setACL(let set):
            return " path=\(set.path) acl=\(acl(set.acl)) version=\(set.version)"
        case .check(let check):
            return " path=\(check.path) version=\(check.version)"
        case .removeWatches(let remove), .checkWatches(let remove):
            return " path=\(remove.path) watcherType=\(remove.type)"
        case .addWatch(let add):
            return " path=\(add.path) mode=\(add.type)"
        case .setWatches(let watches, let opCode):
            var text =
                " relativeZxid=\(hex(watches.relativeZxid)) dataWatches=\(list(watches.dataWatches))"
                + " existWatches=\(list(watches.existWatches)) childWatches=\(list(watches.childWatches))"
            if opCode == .setWatches2 {
                text +=
                    " persistentWatches=\(list(watches.persistentWatches))"
                    + " persistentRecursiveWatches=\(list(watches.persistentRecursiveWatches))"
            }
            return text
        case .auth(let packet):
            return " authType=\(packet.type) scheme=\(packet.scheme) auth=\(data(packet.auth))"
        case .multi(let multi), .multiRead(let multi):
            let ops = multi.operations.map { operation in
                "{hdr type=\(opCodeText(operation.opCode.rawValue)) done=false err=-1; \(multiOperation(operation))}"
            }
            return " ops=[" + (ops + ["end{type=-1 done=true err=-1}"]).joined(separator: " ") + "]"
        case .ping, .whoAmI, .closeSession:
            return ""
        case .reconfig, .sasl:
            return " \(request)"
        }
    }

    static func multiOperation(_ operation: MultiOperation) -> String {
        switch operation {
        case .create(let create, _): createFields(create.path, create.data, create.acl, create.flags)
        case .createTTL(let create):
            createFields(create.path, create.data, create.acl, create.flags) + " ttl=\(create.ttl)"
        case .delete(let delete): "path=\(delete.path) version=\(delete.version)"
        case .setData(let set): "path=\(set.path) data=\(data(set.data)) version=\(set.version)"
        case .check(let check): "path=\(check.path) version=\(check.version)"
        case .getData(let get), .getChildren(let get): "path=\(get.path) watch=\(get.watch)"
        }
    }

    static func responseBody(_ body: ResponseBody) -> String {
        switch body {
        case .empty: ""
        case .create(let path), .sync(let path): " path=\(path)"
        case .create2(let path, let stat): " path=\(path) stat=\(self.stat(stat))"
        case .stat(let stat): " stat=\(self.stat(stat))"
        case .getData(let data, let stat): " data=\(self.data(data)) stat=\(self.stat(stat))"
        case .getACL(let acl, let stat): " acl=\(self.acl(acl)) stat=\(self.stat(stat))"
        case .getChildren(let children): " children=\(list(children))"
        case .getChildren2(let children, let stat): " children=\(list(children)) stat=\(self.stat(stat))"
        case .error(let code): " errorResponse.err=\(code)"
        case .getEphemerals(let paths): " ephemerals=\(list(paths))"
        case .getAllChildrenNumber(let number): " totalNumber=\(number)"
        case .whoAmI(let infos):
            " clientInfo=[" + infos.map { "{authScheme=\($0.authScheme) user=\($0.user)}" }.joined(separator: ", ")
                + "]"
        case .sasl(let token): " token=\(data(token))"
        case .multi(let results):
            " results=[" + (results.map(multiResult) + ["end{type=-1 done=true err=-1}"]).joined(separator: " ") + "]"
        }
    }

    static func multiResult(_ result: MultiResult) -> String {
        func header(_ type: OpCode, err: Int32 = 0) -> String {
            "{hdr type=\(opCodeText(type.rawValue)) done=false err=\(err)"
        }
        return switch result {
        case .create(let path): header(.create) + "; path=\(path)}"
        case .create2(let path, let stat): header(.create2) + "; path=\(path) stat=\(self.stat(stat))}"
        case .delete: header(.delete) + "}"
        case .check: header(.check) + "}"
        case .setData(let stat): header(.setData) + "; stat=\(self.stat(stat))}"
        case .getData(let data, let stat): header(.getData) + "; data=\(self.data(data)) stat=\(self.stat(stat))}"
        case .getChildren(let children): header(.getChildren) + "; children=\(list(children))}"
        case .error(let code): header(.error, err: code) + "; errorResponse.err=\(code)}"
        }
    }

    // MARK: - Fields

    static func createFields(_ path: String, _ bytes: [UInt8]?, _ acls: [ACL], _ flags: Int32) -> String {
        "path=\(path) data=\(data(bytes)) acl=\(acl(acls)) flags=\(flags)"
    }

    static func stat(_ stat: Stat) -> String {
        "{czxid=\(hex(stat.czxid)) mzxid=\(hex(stat.mzxid)) ctime=\(stat.ctime) mtime=\(stat.mtime)"
            + " version=\(stat.version) cversion=\(stat.cversion) aversion=\(stat.aversion)"
            + " ephemeralOwner=\(hex(stat.ephemeralOwner)) dataLength=\(stat.dataLength)"
            + " numChildren=\(stat.numChildren) pzxid=\(hex(stat.pzxid))}"
    }

    static func acl(_ acls: [ACL]) -> String {
        "[" + acls.map { "\($0.perms) \($0.id.scheme):\($0.id.id)" }.joined(separator: ", ") + "]"
    }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func data(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "null" }
        return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
    }

    static func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }

    /// Replies carry zxids in hex; notifications from 3.8 carry -1, which the capture prints in decimal.
    static func zxid(_ value: Int64) -> String { value < 0 ? "\(value)" : hex(value) }

    static func hexBytes(_ bytes: [UInt8]) -> String {
        "0x" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func opCodeText(_ raw: Int32) -> String {
        "\(raw)(" + (OpCode(rawValue: raw)?.name ?? "unknown") + ")"
    }

    static func errText(_ err: Int32) -> String {
        guard err != 0 else { return "0" }
        return "\(err)(\(KeeperError(rawValue: err).map(zooKeeperName) ?? "UNKNOWN"))"
    }

    /// `KeeperException.Code` names, as ZooKeeper prints them.
    static func zooKeeperName(_ error: KeeperError) -> String {
        switch error {
        case .systemError: "SYSTEMERROR"
        case .runtimeInconsistency: "RUNTIMEINCONSISTENCY"
        case .dataInconsistency: "DATAINCONSISTENCY"
        case .connectionLoss: "CONNECTIONLOSS"
        case .marshallingError: "MARSHALLINGERROR"
        case .unimplemented: "UNIMPLEMENTED"
        case .operationTimeout: "OPERATIONTIMEOUT"
        case .badArguments: "BADARGUMENTS"
        case .unknownSession: "UNKNOWNSESSION"
        case .newConfigNoQuorum: "NEWCONFIGNOQUORUM"
        case .reconfigInProgress: "RECONFIGINPROGRESS"
        case .apiError: "APIERROR"
        case .noNode: "NONODE"
        case .noAuth: "NOAUTH"
        case .badVersion: "BADVERSION"
        case .noChildrenForEphemerals: "NOCHILDRENFOREPHEMERALS"
        case .nodeExists: "NODEEXISTS"
        case .notEmpty: "NOTEMPTY"
        case .sessionExpired: "SESSIONEXPIRED"
        case .invalidCallback: "INVALIDCALLBACK"
        case .invalidACL: "INVALIDACL"
        case .authFailed: "AUTHFAILED"
        case .sessionMoved: "SESSIONMOVED"
        case .notReadOnly: "NOTREADONLY"
        case .ephemeralOnLocalSession: "EPHEMERALONLOCALSESSION"
        case .noWatcher: "NOWATCHER"
        case .requestTimeout: "REQUESTTIMEOUT"
        case .reconfigDisabled: "RECONFIGDISABLED"
        case .sessionClosedRequireSASLAuth: "SESSIONCLOSEDREQUIRESASLAUTH"
        case .quotaExceeded: "QUOTAEXCEEDED"
        case .throttledOp: "THROTTLEDOP"
        }
    }

    static func eventTypeName(_ raw: Int32) -> String {
        guard let type = WatchEventType(rawValue: raw) else { return "unknown" }
        let name = "\(type)"
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    static func stateName(_ raw: Int32) -> String {
        guard let state = KeeperState(rawValue: raw) else { return "unknown" }
        let name = "\(state)"
        return name.prefix(1).uppercased() + name.dropFirst()
    }
}
