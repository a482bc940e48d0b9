import AviaryWire
import NIOCore
import Testing

/// Every case of the three body enums decodes (by its opcode) to itself and re-encodes to the same bytes.
struct BodyRoundTripTests {
    static let clientRequests: [ClientRequest] = [
        .create(CreateRequest(path: "/a", data: Samples.data, acl: Samples.open, flags: 0), opCode: .create),
        .create(CreateRequest(path: "/a", data: nil, acl: Samples.mixedACL, flags: 1), opCode: .create2),
        .create(CreateRequest(path: "/c", data: [], acl: Samples.open, flags: 4), opCode: .createContainer),
        .createTTL(CreateTTLRequest(path: "/t", data: [1], acl: Samples.open, flags: 5, ttl: 60000)),
        .delete(DeleteRequest(path: "/a", version: 3)),
        .exists(PathWatchRequest(path: "/a", watch: true)),
        .getData(PathWatchRequest(path: "/a", watch: false)),
        .setData(SetDataRequest(path: "/a", data: Samples.data, version: 7)),
        .getACL(PathRequest(path: "/a")),
        .setACL(SetACLRequest(path: "/a", acl: Samples.mixedACL, version: -1)),
        .getChildren(PathWatchRequest(path: "/", watch: true)),
        .getChildren2(PathWatchRequest(path: "/", watch: false)),
        .sync(PathRequest(path: "/a")),
        .ping,
        .check(CheckVersionRequest(path: "/a", version: 1)),
        .multi(
            MultiRequest(operations: [
                .check(CheckVersionRequest(path: "/a", version: 1)),
                .create(CreateRequest(path: "/b", data: [1], acl: Samples.open, flags: 2), opCode: .create2),
            ])),
        .multiRead(
            MultiRequest(operations: [
                .getData(PathWatchRequest(path: "/a")), .getChildren(PathWatchRequest(path: "/")),
            ])),
        .reconfig(
            ReconfigRequest(joiningServers: nil, leavingServers: "3", newMembers: nil, curConfigId: 0x1_0000_0000)),
        .checkWatches(PathTypeRequest(path: "/a", type: 3)),
        .removeWatches(PathTypeRequest(path: "/a", type: 2)),
        .auth(AuthPacket(scheme: "digest", auth: Array("u:p".utf8))),
        .setWatches(
            SetWatchesRequest(relativeZxid: 0x14, dataWatches: ["/a"], existWatches: ["/n"]), opCode: .setWatches),
        .setWatches(
            SetWatchesRequest(
                relativeZxid: 0x17, dataWatches: ["/a"], existWatches: [], childWatches: ["/w"],
                persistentWatches: ["/p"], persistentRecursiveWatches: ["/r", "/s"]),
            opCode: .setWatches2),
        .sasl(SASLToken(token: [1, 2, 3])),
        .getEphemerals(PathRequest(path: "/")),
        .getAllChildrenNumber(PathRequest(path: "/a")),
        .addWatch(PathTypeRequest(path: "/p", type: 1)),
        .whoAmI,
        .closeSession,
    ]

    @Test(arguments: clientRequests)
    func clientRequestDecodesByItsOpCodeToItself(request: ClientRequest) throws {
        var buffer = ByteBuffer()
        request.encode(to: &buffer)
        var reader = JuteReader(buffer)
        let decoded = try ClientRequest.decode(opCode: request.opCode, from: &reader)
        try reader.expectEnd()
        #expect(decoded == request)
        var again = ByteBuffer()
        decoded?.encode(to: &again)
        #expect(again == buffer)
    }

    @Test func everyClientOpCodeIsCovered() {
        let covered = Set(Self.clientRequests.map(\.opCode))
        let answered = Set(
            OpCode.allCases.filter { ![.notification, .deleteContainer, .createSession, .error].contains($0) })
        #expect(covered == answered)
    }

    @Test(arguments: [OpCode.notification, .deleteContainer, .createSession, .error])
    func opCodesClientsNeverSendHaveNoRequestRecord(opCode: OpCode) throws {
        var reader = JuteReader(ByteBuffer())
        #expect(try ClientRequest.decode(opCode: opCode, from: &reader) == nil)
    }

    static let responses: [(OpCode, ResponseBody)] = [
        (.delete, .empty),
        (.create, .create(path: "/a")),
        (.create2, .create2(path: "/a", stat: Samples.stat)),
        (.createContainer, .create2(path: "/c", stat: Stat())),
        (.createTTL, .create2(path: "/t", stat: Samples.stat)),
        (.exists, .stat(Samples.stat)),
        (.setData, .stat(Stat(version: 9))),
        (.setACL, .stat(Stat(aversion: 2))),
        (.getData, .getData(data: Samples.data, stat: Samples.stat)),
        (.getData, .getData(data: nil, stat: Stat())),
        (.getACL, .getACL(acl: Samples.mixedACL, stat: Samples.stat)),
        (.getChildren, .getChildren(children: ["a", "b"])),
        (.getChildren2, .getChildren2(children: [], stat: Samples.stat)),
        (.sync, .sync(path: "/a")),
        (.addWatch, .error(0)),
        (.getEphemerals, .getEphemerals(paths: ["/e1", "/x/e2"])),
        (.getAllChildrenNumber, .getAllChildrenNumber(7)),
        (
            .whoAmI,
            .whoAmI([ClientInfo(authScheme: "digest", user: "alice"), ClientInfo(authScheme: "ip", user: "::1")])
        ),
        (.sasl, .sasl(token: nil)),
        (.reconfig, .getData(data: Array("server.1=a:1:2".utf8), stat: Samples.stat)),
        (
            .multi,
            .multi([
                .create(path: "/a"), .create2(path: "/b", stat: Samples.stat), .delete, .setData(Samples.stat), .check,
                .error(0), .error(KeeperError.badVersion.rawValue),
            ])
        ),
        (.multiRead, .multi([.getData(data: [1], stat: Samples.stat), .getChildren(["x"]), .error(-101)])),
        (.multi, .multi([])),
    ]

    @Test(arguments: responses)
    func responseBodyDecodesByItsRequestsOpCodeToItself(opCode: OpCode, body: ResponseBody) throws {
        var buffer = ByteBuffer()
        body.encode(to: &buffer)
        var reader = JuteReader(buffer)
        let decoded = try ResponseBody.decode(opCode: opCode, from: &reader)
        try reader.expectEnd()
        #expect(decoded == body)
        var again = ByteBuffer()
        decoded.encode(to: &again)
        #expect(again == buffer)
    }

    static let txnBodies: [TxnBody] = [
        .create(
            path: "/a", data: Samples.data, acl: Samples.mixedACL, ephemeral: true, parentCVersion: 3, opCode: .create),
        .create(path: "/a", data: nil, acl: Samples.open, ephemeral: false, parentCVersion: -1, opCode: .create2),
        .createContainer(path: "/c", data: [], acl: Samples.open, parentCVersion: 1),
        .createTTL(path: "/t", data: [1], acl: Samples.open, parentCVersion: 2, ttl: 60000),
        .delete(path: "/a", opCode: .delete),
        .delete(path: "/c", opCode: .deleteContainer),
        .setData(path: "/a", data: [2], version: 4, opCode: .setData),
        .setData(path: "/zookeeper/config", data: Array("version=1".utf8), version: -1, opCode: .reconfig),
        .setACL(path: "/a", acl: Samples.mixedACL, version: 1),
        .check(path: "/a", version: 5),
        .createSession(timeOutMillis: 30000),
        .closeSession(pathsToDelete: ["/e1", "/e2"]),
        .closeSession(pathsToDelete: []),
        .closeSession(pathsToDelete: nil),
        .error(KeeperError.noNode.rawValue),
        .multi([
            .create(path: "/m", data: [1], acl: Samples.open, ephemeral: false, parentCVersion: 1, opCode: .create),
            .createContainer(path: "/m/c", data: nil, acl: Samples.open, parentCVersion: 1),
            .createTTL(path: "/m/t", data: nil, acl: Samples.open, parentCVersion: 2, ttl: 5),
            .delete(path: "/x", opCode: .delete),
            .setData(path: "/m", data: nil, version: 2, opCode: .setData),
            .check(path: "/m", version: 3),
        ]),
        .multi([
            .error(0), .error(KeeperError.badVersion.rawValue), .error(KeeperError.runtimeInconsistency.rawValue),
        ]),
        .multi([]),
    ]

    @Test(arguments: txnBodies)
    func txnBodyDecodesByItsTypeToItself(body: TxnBody) throws {
        var buffer = ByteBuffer()
        body.encode(to: &buffer)
        var reader = JuteReader(buffer)
        let decoded = try TxnBody.decode(type: body.opCode.rawValue, from: &reader)
        try reader.expectEnd()
        #expect(decoded == body)
        var again = ByteBuffer()
        decoded.encode(to: &again)
        #expect(again == buffer)
    }

    @Test func multiTxnIsACountThenTypeAndLengthPrefixedSubTxns() {
        var buffer = ByteBuffer()
        TxnBody.multi([.check(path: "/a", version: 1), .error(-2)]).encode(to: &buffer)
        #expect(
            Array(buffer.readableBytesView) == [
                0, 0, 0, 2,
                0, 0, 0, 13, 0, 0, 0, 10, 0, 0, 0, 2, 0x2F, 0x61, 0, 0, 0, 1,
                0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFE,
            ])
    }

    @Test func preThreeSixCloseSessionWithoutBodyDecodesAsNoPaths() throws {
        var reader = JuteReader(ByteBuffer())
        #expect(
            try TxnBody.decode(type: OpCode.closeSession.rawValue, from: &reader) == .closeSession(pathsToDelete: nil))
    }

    @Test(arguments: [Int32(0), 3, 4, 11, 100, 42])
    func txnTypesThatAreNotTransactionsAreRefused(type: Int32) {
        var reader = JuteReader(ByteBuffer(bytes: [0, 0, 0, 0]))
        #expect(throws: JuteError.invalidValue(field: "txn type", value: Int64(type))) {
            try TxnBody.decode(type: type, from: &reader)
        }
    }
}
