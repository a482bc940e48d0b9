import AviaryWire
import NIOCore
import Testing

/// Length prefixes that claim more than the frame holds are refused with an error before anything is allocated:
/// a 2 GiB claim in a 12-byte frame must cost nothing.
struct HostileLengthTests {
    static func bytes(_ build: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBuffer()
        build(&buffer)
        return buffer
    }

    @Test(arguments: [Int32.max, 0x7FFF_FFF0, 5, -2, Int32.min])
    func aStringLengthBeyondTheFrameThrows(length: Int32) {
        var reader = JuteReader(
            Self.bytes {
                $0.writeJuteInt(length)
                $0.writeBytes([0x2F, 0x61, 0x62, 0x63])
            })
        #expect(throws: JuteError.badLength(field: "path", length: length)) { try reader.readString("path") }
    }

    @Test(arguments: [Int32.max, 0x10_0000, -7])
    func aBufferLengthBeyondTheFrameThrows(length: Int32) {
        var reader = JuteReader(
            Self.bytes {
                $0.writeJuteInt(length)
                $0.writeBytes([1, 2, 3])
            })
        #expect(throws: JuteError.badLength(field: "data", length: length)) { try reader.readBuffer("data") }
    }

    @Test(arguments: [Int32.max, 1_000_000, -3])
    func aVectorCountBeyondTheFrameThrowsBeforeReservingSpace(count: Int32) {
        var reader = JuteReader(
            Self.bytes {
                $0.writeJuteInt(count)
                $0.writeJuteString("a")
            })
        #expect(throws: JuteError.badLength(field: "children", length: count)) { try reader.readStrings("children") }
    }

    @Test func aHostilePathLengthInsideACreateRequestThrows() {
        let frame = Self.bytes {
            $0.writeJute(RequestHeader(xid: 1, opCode: .create))
            $0.writeJuteInt(0x7FFF_FFFF)
            $0.writeBytes(Array("/golden".utf8))
        }
        var reader = JuteReader(frame)
        #expect(throws: JuteError.badLength(field: "path", length: 0x7FFF_FFFF)) {
            _ = try RequestHeader(from: &reader)
            _ = try ClientRequest.decode(opCode: .create, from: &reader)
        }
    }

    @Test func aHostileACLCountInsideACreateRequestThrows() {
        let frame = Self.bytes {
            $0.writeJuteString("/a")
            $0.writeJuteBuffer(nil)
            $0.writeJuteInt(0x7FFF_FFFF)
            $0.writeJuteInt(31)
        }
        #expect(throws: JuteError.badLength(field: "acl", length: 0x7FFF_FFFF)) {
            try CreateRequest.decode(from: frame)
        }
    }

    @Test func aHostilePasswordLengthInAConnectRequestThrows() {
        let frame = Self.bytes {
            $0.writeJuteInt(0)
            $0.writeJuteLong(0)
            $0.writeJuteInt(4000)
            $0.writeJuteLong(0)
            $0.writeJuteInt(0x7FFF_FFFF)
        }
        #expect(throws: JuteError.badLength(field: "passwd", length: 0x7FFF_FFFF)) {
            try ConnectRequest.decode(from: frame)
        }
    }

    @Test func aHostileSubTxnCountInAMultiTxnThrows() {
        var reader = JuteReader(
            Self.bytes {
                $0.writeJuteInt(0x7FFF_FFFF)
                $0.writeJuteInt(13)
            })
        #expect(throws: JuteError.badLength(field: "txns", length: 0x7FFF_FFFF)) {
            try TxnBody.decode(type: OpCode.multi.rawValue, from: &reader)
        }
    }

    @Test func aHostileSubTxnDataLengthInAMultiTxnThrows() {
        var reader = JuteReader(
            Self.bytes {
                $0.writeJuteInt(1)
                $0.writeJuteInt(13)
                $0.writeJuteInt(0x7FFF_FFFF)
            })
        #expect(throws: JuteError.badLength(field: "data", length: 0x7FFF_FFFF)) {
            try TxnBody.decode(type: OpCode.multi.rawValue, from: &reader)
        }
    }

    @Test func aHostileChildrenCountInAReplyThrows() {
        var reader = JuteReader(Self.bytes { $0.writeJuteInt(0x7FFF_FFFF) })
        #expect(throws: JuteError.badLength(field: "children", length: 0x7FFF_FFFF)) {
            try ResponseBody.decode(opCode: .getChildren, from: &reader)
        }
    }

    @Test func aMultiWithoutItsTerminatorThrowsTruncated() {
        var reader = JuteReader(
            Self.bytes {
                MultiHeader(type: OpCode.check.rawValue, done: false, err: -1).encode(to: &$0)
                CheckVersionRequest(path: "/a", version: 1).encode(to: &$0)
            })
        #expect(throws: JuteError.truncated(field: "type")) { try MultiRequest(from: &reader) }
    }

    @Test(arguments: [OpCode.ping, .getACL, .sync, .closeSession, .multiRead, .notification])
    func aMultiOperationOfAnOpCodeMultiDoesNotAllowThrows(opCode: OpCode) {
        var reader = JuteReader(
            Self.bytes {
                MultiHeader(type: opCode.rawValue, done: false, err: -1).encode(to: &$0)
                PathRequest(path: "/a").encode(to: &$0)
                MultiHeader.terminator.encode(to: &$0)
            })
        #expect(throws: JuteError.invalidValue(field: "multi op type", value: Int64(opCode.rawValue))) {
            try MultiRequest(from: &reader)
        }
    }

    /// 44 bytes is the valid pre-3.4 form (no readOnly byte); every shorter cut ends inside a field.
    @Test(arguments: 0..<44)
    func everyTruncationOfAConnectRequestThrows(length: Int) {
        let full = ConnectRequest(timeOutMillis: 4000).encoded()
        let cut = full.getSlice(at: 0, length: length)!
        #expect(throws: JuteError.self) { try ConnectRequest.decode(from: cut) }
    }
}
