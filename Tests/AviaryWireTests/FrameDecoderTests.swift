import AviaryWire
import NIOCore
import Testing

/// `JuteFrameDecoder.nextFrame`: whole frames out of a stream that arrives in arbitrary pieces, and lengths
/// outside `0...maximum` refused as soon as the length prefix is in.
struct FrameDecoderTests {
    static let maximum = 1024

    static func framed(_ payloads: [[UInt8]]) -> ByteBuffer {
        var stream = ByteBuffer()
        for payload in payloads {
            stream.writeJuteFrame { $0.writeBytes(payload) }
        }
        return stream
    }

    static let payloads: [[UInt8]] = [
        Array(PathRequest(path: "/golden").encoded().readableBytesView),
        [],
        [0xFF],
        Array(repeating: 0xA5, count: maximum),
        Array(RequestHeader(xid: -2, opCode: .ping).encoded().readableBytesView),
    ]

    @Test func framesFedOneByteAtATimeComeOutWholeAndInOrder() throws {
        let stream = Self.framed(Self.payloads)
        var received = ByteBuffer()
        var frames: [[UInt8]] = []
        for byte in stream.readableBytesView {
            received.writeInteger(byte)
            while let frame = try JuteFrameDecoder.nextFrame(from: &received, maximumFrameBytes: Self.maximum) {
                frames.append(Array(frame.readableBytesView))
            }
        }
        #expect(frames == Self.payloads)
        #expect(received.readableBytes == 0)
    }

    @Test(arguments: [1, 2, 3, 5, 7, 64, 4096])
    func framesFedInChunksOfAnySizeComeOutTheSame(chunkSize: Int) throws {
        var stream = Self.framed(Self.payloads)
        var received = ByteBuffer()
        var frames: [[UInt8]] = []
        while stream.readableBytes > 0 {
            var chunk = stream.readSlice(length: min(chunkSize, stream.readableBytes))!
            received.writeBuffer(&chunk)
            while let frame = try JuteFrameDecoder.nextFrame(from: &received, maximumFrameBytes: Self.maximum) {
                frames.append(Array(frame.readableBytesView))
            }
        }
        #expect(frames == Self.payloads)
    }

    @Test func anIncompleteFrameIsLeftUntouched() throws {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 5, 1, 2, 3])
        #expect(try JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: Self.maximum) == nil)
        #expect(buffer.readerIndex == 0)
        #expect(buffer.readableBytes == 7)
        var lengthOnlyPart = ByteBuffer(bytes: [0, 0])
        #expect(try JuteFrameDecoder.nextFrame(from: &lengthOnlyPart, maximumFrameBytes: Self.maximum) == nil)
        #expect(lengthOnlyPart.readableBytes == 2)
    }

    @Test(arguments: [Int32(-1), -2, Int32.min])
    func aNegativeLengthIsRefused(length: Int32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        let error = #expect(throws: FrameLengthError.self) {
            try JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: Self.maximum)
        }
        #expect(error?.length == length)
        #expect(error?.maximum == Self.maximum)
    }

    /// The length alone is enough to refuse: the decoder does not wait for (or buffer) a payload it will reject.
    @Test(arguments: [Int32(1025), 0x10_0000, Int32.max])
    func aLengthAboveTheMaximumIsRefusedBeforeItsPayloadArrives(length: Int32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        let error = #expect(throws: FrameLengthError.self) {
            try JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: Self.maximum)
        }
        #expect(error?.length == length)
        #expect(error?.maximum == Self.maximum)
    }

    @Test func aFrameOfExactlyTheMaximumIsAccepted() throws {
        var buffer = Self.framed([Array(repeating: 1, count: Self.maximum)])
        let frame = try JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: Self.maximum)
        #expect(frame?.readableBytes == Self.maximum)
    }

    @Test func aZeroLengthFrameIsAnEmptyFrame() throws {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 0])
        let frame = try JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: Self.maximum)
        #expect(frame?.readableBytes == 0)
        #expect(buffer.readableBytes == 0)
    }

    @Test func writeJuteFramePrefixesTheBodyWithItsLength() {
        var buffer = ByteBuffer()
        buffer.writeJuteFrame { $0.writeJute(ReplyHeader(xid: -2, zxid: 0x10, err: 0)) }
        #expect(
            Array(buffer.readableBytesView) == [
                0, 0, 0, 16, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0,
            ])
    }
}
