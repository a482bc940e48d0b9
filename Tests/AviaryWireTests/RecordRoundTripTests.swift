import AviaryWire
import NIOCore
import Testing

/// A record of any type, checked by decoding its own encoding.
struct AnyRecord: Sendable, CustomTestStringConvertible {
    let testDescription: String
    /// Encodes, decodes, and re-encodes: whether the decoded value equals the original, and both byte strings.
    let roundTrip: @Sendable () throws -> (equal: Bool, first: [UInt8], second: [UInt8])

    init<Record: JuteRecord & Hashable & Sendable>(_ name: String, _ record: Record) {
        testDescription = name
        roundTrip = {
            let bytes = record.encoded()
            let decoded = try Record.decode(from: bytes)
            return (decoded == record, Array(bytes.readableBytesView), Array(decoded.encoded().readableBytesView))
        }
    }
}

enum Samples {
    static let open = ACL.openUnsafe
    static let mixedACL = [
        ACL(perms: 31, id: Id(scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")),
        ACL(perms: 1, id: Id(scheme: "ip", id: "10.0.0.0/8")),
    ]
    static let stat = Stat(
        czxid: 0x1_0000_0003, mzxid: 0x1_0000_000c, ctime: 1_795_798_360_605, mtime: 1_795_798_363_817, version: 1,
        cversion: -2, aversion: 3, ephemeralOwner: 0x0100_0008_24b1_0000, dataLength: 5, numChildren: 7,
        pzxid: Int64.max)
    static let data: [UInt8] = [0, 1, 0xFF, 0x7F, 0x80]
}

struct RecordRoundTripTests {
    static let records: [AnyRecord] = [
        AnyRecord("Id", Id(scheme: "digest", id: "bob:hash=")),
        AnyRecord("Id with non-ASCII", Id(scheme: "x509", id: "CN=Zoë,O=Ästhetik")),
        AnyRecord("ACL", ACL(perms: 16, id: .creator)),
        AnyRecord("Stat", Samples.stat),
        AnyRecord(
            "StatPersisted",
            StatPersisted(
                czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7,
                ephemeralOwner: EphemeralOwner.container, pzxid: 8)),
        AnyRecord(
            "ConnectRequest", ConnectRequest(lastZxidSeen: 0x14, timeOutMillis: 4000, sessionId: 77, readOnly: true)),
        AnyRecord(
            "ConnectRequest without readOnly byte",
            ConnectRequest(timeOutMillis: 30000, sessionId: 0, hasReadOnlyByte: false)),
        AnyRecord(
            "ConnectResponse",
            ConnectResponse(timeOutMillis: 4000, sessionId: -5, passwd: Array(0..<16), readOnly: true)),
        AnyRecord("ConnectResponse rejected", ConnectResponse.rejected(hasReadOnlyByte: false)),
        AnyRecord("AuthPacket", AuthPacket(scheme: "digest", auth: Array("alice:secret".utf8))),
        AnyRecord("RequestHeader", RequestHeader(xid: -8, opCode: .setWatches2)),
        AnyRecord("ReplyHeader", ReplyHeader(xid: 7, zxid: 0x5_0000_0001, error: .notEmpty)),
        AnyRecord("WatcherEvent", WatcherEvent(type: .persistentWatchRemoved, state: .expired, path: "/a/b")),
        AnyRecord("MultiHeader", MultiHeader(type: 13, done: false, err: -1)),
        AnyRecord("MultiHeader terminator", MultiHeader.terminator),
        AnyRecord("PathWatchRequest", PathWatchRequest(path: "/w", watch: true)),
        AnyRecord("PathRequest", PathRequest(path: "/")),
        AnyRecord("PathTypeRequest", PathTypeRequest(path: "/p", type: 1)),
        AnyRecord("SASLToken", SASLToken(token: Samples.data)),
        AnyRecord("SASLToken null", SASLToken(token: nil)),
        AnyRecord("CreateRequest", CreateRequest(path: "/c", data: Samples.data, acl: Samples.mixedACL, flags: 3)),
        AnyRecord("CreateRequest null data", CreateRequest(path: "/c", data: nil, acl: Samples.open, flags: 0)),
        AnyRecord("CreateRequest empty data", CreateRequest(path: "/c", data: [], acl: Samples.open, flags: 0)),
        AnyRecord(
            "CreateTTLRequest",
            CreateTTLRequest(path: "/t", data: [1], acl: Samples.open, flags: 5, ttl: EphemeralOwner.ttlMaximumMillis)),
        AnyRecord("DeleteRequest", DeleteRequest(path: "/d", version: 4)),
        AnyRecord("SetDataRequest", SetDataRequest(path: "/s", data: nil, version: -1)),
        AnyRecord("SetACLRequest", SetACLRequest(path: "/s", acl: Samples.mixedACL, version: 2)),
        AnyRecord("CheckVersionRequest", CheckVersionRequest(path: "/v", version: Int32.max)),
        AnyRecord(
            "ReconfigRequest",
            ReconfigRequest(joiningServers: "server.4=h:1:2", leavingServers: nil, newMembers: "", curConfigId: -1)),
        AnyRecord(
            "MultiRequest",
            MultiRequest(operations: [
                .create(CreateRequest(path: "/m", data: nil, acl: Samples.open, flags: 4), opCode: .createContainer),
                .createTTL(CreateTTLRequest(path: "/m/t", data: [], acl: Samples.open, flags: 6, ttl: 1)),
                .delete(DeleteRequest(path: "/m/x")),
                .setData(SetDataRequest(path: "/m", data: [9])),
                .check(CheckVersionRequest(path: "/m", version: 0)),
            ])),
        AnyRecord("MultiRequest empty", MultiRequest(operations: [])),
        AnyRecord("ClientInfo", ClientInfo(authScheme: "ip", user: "127.0.0.1")),
        AnyRecord(
            "TxnHeader",
            TxnHeader(clientId: 1 << 56, cxid: -1, zxid: 0x2_0000_0001, time: 1_700_000_000_000, type: 14)),
        AnyRecord("TxnDigest", TxnDigest(version: 2, treeDigest: Int64.min)),
    ]

    @Test(arguments: records)
    func recordDecodesToItselfAndReencodesToTheSameBytes(record: AnyRecord) throws {
        let (equal, first, second) = try record.roundTrip()
        #expect(equal)
        #expect(first == second)
    }

    @Test func primitivesAreBigEndianWithMinusOneForNull() {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(0x0102_0304)
        buffer.writeJuteLong(-2)
        buffer.writeJuteBool(true)
        buffer.writeJuteBuffer(nil)
        buffer.writeJuteBuffer([0xAB])
        buffer.writeJuteString(nil)
        buffer.writeJuteString("é")
        buffer.writeJuteStrings(nil)
        buffer.writeJuteStrings([])
        #expect(
            Array(buffer.readableBytesView) == [
                1, 2, 3, 4,
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                1,
                0xFF, 0xFF, 0xFF, 0xFF,
                0, 0, 0, 1, 0xAB,
                0xFF, 0xFF, 0xFF, 0xFF,
                0, 0, 0, 2, 0xC3, 0xA9,
                0xFF, 0xFF, 0xFF, 0xFF,
                0, 0, 0, 0,
            ])
    }

    @Test func readerReturnsNullForMinusOneAndEmptyForZero() throws {
        var reader = JuteReader(
            ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]))
        #expect(try reader.readBuffer() == nil)
        #expect(try reader.readBuffer() == [])
        #expect(try reader.readOptionalString() == nil)
        #expect(try reader.readOptionalString() == "")
        #expect(reader.isAtEnd)
    }

    @Test func nullVectorReadsAsEmpty() throws {
        var reader = JuteReader(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(try reader.readStrings() == [])
    }

    @Test func invalidUTF8InAStringIsReplacedNotRefused() throws {
        var reader = JuteReader(ByteBuffer(bytes: [0, 0, 0, 3, 0x61, 0xFF, 0x62]))
        #expect(try reader.readString() == "a\u{FFFD}b")
    }

    @Test func trailingBytesAfterARecordAreRefused() {
        var buffer = PathRequest(path: "/a").encoded()
        buffer.writeInteger(UInt8(0))
        #expect(throws: JuteError.trailingBytes(count: 1)) { try PathRequest.decode(from: buffer) }
    }

    @Test func connectRequestOfAPre34ClientHasNoReadOnlyByteAndItsReplyOmitsItToo() throws {
        let old = ConnectRequest(timeOutMillis: 4000, hasReadOnlyByte: false)
        let modern = ConnectRequest(timeOutMillis: 4000)
        #expect(old.encoded().readableBytes == 44)
        #expect(modern.encoded().readableBytes == 45)
        #expect(ConnectResponse.rejected(hasReadOnlyByte: false).encoded().readableBytes == 36)
        let rejected = ConnectResponse.rejected(hasReadOnlyByte: true)
        #expect(
            rejected.timeOutMillis == 0 && rejected.sessionId == 0
                && rejected.passwd == [UInt8](repeating: 0, count: 16))
    }

    @Test func txnWithAndWithoutDigestRoundTrips() throws {
        let header = TxnHeader(clientId: 5, cxid: 9, zxid: 0x1_0000_0002, time: 42, type: OpCode.setData.rawValue)
        for digest in [nil, TxnDigest(version: 2, treeDigest: 0x1234_5678)] {
            let txn = Txn(
                header: header, body: .setData(path: "/x", data: [1], version: 3, opCode: .setData), digest: digest)
            var buffer = ByteBuffer()
            txn.encode(to: &buffer)
            #expect(try Txn.decode(from: buffer) == txn)
        }
    }
}
