import AviaryWire
import NIOCore
import Testing

/// Every frame captured from real ZooKeeper 3.8 traffic decodes with the record its kind names, shows the field
/// values the capture tool saw, and re-encodes to exactly the captured bytes.
struct GoldenFrameTests {
    struct UnknownKind: Error, CustomStringConvertible {
        var description: String
    }

    /// What decoding one frame produced: the manifest notation of its fields and the re-encoded bytes.
    struct Decoded {
        var rendered: String
        var reencoded: [UInt8]
    }

    static func decode(_ frame: GoldenFrame, bytes: [UInt8]) throws -> Decoded {
        let buffer = ByteBuffer(bytes: bytes)
        var out = ByteBuffer()
        let rendered: String
        switch frame.kind {
        case "connect_request":
            let request = try ConnectRequest.decode(from: buffer)
            request.encode(to: &out)
            rendered = GoldenRendering.connectRequest(request, length: bytes.count)
        case "connect_response":
            let response = try ConnectResponse.decode(from: buffer)
            response.encode(to: &out)
            rendered = GoldenRendering.connectResponse(response, length: bytes.count)
        case "notification":
            var reader = JuteReader(buffer)
            let header = try ReplyHeader(from: &reader)
            let event = try WatcherEvent(from: &reader)
            try reader.expectEnd()
            header.encode(to: &out)
            event.encode(to: &out)
            rendered = GoldenRendering.notification(header, event, length: bytes.count)
        case let kind where kind.hasPrefix("request:"):
            var reader = JuteReader(buffer)
            let header = try RequestHeader(from: &reader)
            guard let opCode = header.opCode, opCode.name == frame.opName else {
                throw UnknownKind(description: "header type \(header.type) does not match kind \(kind)")
            }
            guard let request = try ClientRequest.decode(opCode: opCode, from: &reader) else {
                throw UnknownKind(description: "no request record for \(kind)")
            }
            try reader.expectEnd()
            header.encode(to: &out)
            request.encode(to: &out)
            rendered = GoldenRendering.request(header, request, length: bytes.count)
        case let kind where kind.hasPrefix("reply:"):
            guard let opCode = OpCode.allCases.first(where: { $0.name == frame.opName }) else {
                throw UnknownKind(description: "no opcode named by \(kind)")
            }
            var reader = JuteReader(buffer)
            let header = try ReplyHeader(from: &reader)
            // A failed reply is the header alone; multi always carries its per-op results.
            let body: ResponseBody =
                header.err == 0 || opCode == .multi ? try ResponseBody.decode(opCode: opCode, from: &reader) : .empty
            try reader.expectEnd()
            header.encode(to: &out)
            body.encode(to: &out)
            rendered = GoldenRendering.reply(header, requestType: opCode, body, length: bytes.count)
        default:
            throw UnknownKind(description: "unknown kind \(frame.kind)")
        }
        return Decoded(rendered: rendered, reencoded: Array(out.readableBytesView))
    }

    @Test(arguments: try GoldenFixtures.manifest())
    func capturedFrameDecodesToTheFieldsZooKeeperSentAndReencodesToTheSameBytes(frame: GoldenFrame) throws {
        let bytes = try GoldenFixtures.bytes(of: frame.name)
        let decoded = try Self.decode(frame, bytes: bytes)
        #expect(decoded.rendered == frame.decoded)
        #expect(decoded.reencoded == bytes)
    }

    @Test func connectFramesOfBothClientsCarryTheReadOnlyByte() throws {
        for frame in try GoldenFixtures.manifest() where frame.kind.hasPrefix("connect_") {
            let buffer = ByteBuffer(bytes: try GoldenFixtures.bytes(of: frame.name))
            let hasByte =
                frame.kind == "connect_request"
                ? try ConnectRequest.decode(from: buffer).hasReadOnlyByte
                : try ConnectResponse.decode(from: buffer).hasReadOnlyByte
            #expect(hasByte, "\(frame.name)")
        }
    }

    @Test func reconnectCarriesTheSessionIdAndPasswordTheServerIssued() throws {
        let reply = try ConnectResponse.decode(from: ByteBuffer(bytes: GoldenFixtures.bytes(of: "connect_reply_zkcli")))
        let reconnect = try ConnectRequest.decode(
            from: ByteBuffer(bytes: GoldenFixtures.bytes(of: "connect_request_reconnect_zkcli")))
        #expect(reconnect.sessionId == reply.sessionId)
        #expect(reconnect.passwd == reply.passwd)
        #expect(reconnect.lastZxidSeen == 0x14)
    }

    @Test func failedMultiReportsOkThenTheFailureThenRuntimeInconsistency() throws {
        var reader = JuteReader(ByteBuffer(bytes: try GoldenFixtures.bytes(of: "multi_fail_reply_kazoo")))
        let header = try ReplyHeader(from: &reader)
        let body = try ResponseBody.decode(opCode: .multi, from: &reader)
        #expect(header.err == 0)
        #expect(
            body
                == .multi([
                    .error(0), .error(KeeperError.badVersion.rawValue),
                    .error(KeeperError.runtimeInconsistency.rawValue),
                ]))
    }

    @Test func multiRequestDecodesEachOperationWithItsOwnRecord() throws {
        var reader = JuteReader(ByteBuffer(bytes: try GoldenFixtures.bytes(of: "multi_request_kazoo")))
        _ = try RequestHeader(from: &reader)
        let request = try ClientRequest.decode(opCode: .multi, from: &reader)
        let open = [ACL(perms: 31, id: Id(scheme: "world", id: "anyone"))]
        #expect(
            request
                == .multi(
                    MultiRequest(operations: [
                        .check(CheckVersionRequest(path: "/golden/a", version: 1)),
                        .create(
                            CreateRequest(path: "/golden/txn", data: Array("t".utf8), acl: open, flags: 0),
                            opCode: .create),
                        .setData(SetDataRequest(path: "/golden/a", data: Array("txn".utf8), version: -1)),
                        .delete(DeleteRequest(path: "/golden/k2", version: -1)),
                    ])))
    }

    @Test func nullDataStaysNullAndIsNotConfusedWithEmptyData() throws {
        var reader = JuteReader(ByteBuffer(bytes: try GoldenFixtures.bytes(of: "create_nulldata_request_zkcli")))
        _ = try RequestHeader(from: &reader)
        guard case .create(let create, _) = try ClientRequest.decode(opCode: .create, from: &reader) else {
            Issue.record("not a create")
            return
        }
        #expect(create.data == nil)
        #expect(create.path == "/golden")
    }
}
