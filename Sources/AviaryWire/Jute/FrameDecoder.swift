import NIOCore

/// A frame whose declared length is negative or above the configured cap (ZooKeeper's "Len error").
public struct FrameLengthError: Error, Sendable, Equatable, CustomStringConvertible {
    public var length: Int32
    public var maximum: Int

    public var description: String { "frame length \(length) outside 0...\(maximum)" }
}

/// Splits a stream into frames of `int length` + payload, refusing lengths above `maximumFrameBytes`
/// before buffering them, so one client cannot make the server hold more than one frame's worth.
public struct JuteFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    public let maximumFrameBytes: Int

    public init(maximumFrameBytes: Int) {
        precondition(maximumFrameBytes > 0)
        self.maximumFrameBytes = maximumFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(from: &buffer, maximumFrameBytes: maximumFrameBytes) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Takes one whole frame off the front of `buffer`, or nil if it is not all there yet.
    public static func nextFrame(from buffer: inout ByteBuffer, maximumFrameBytes: Int) throws(FrameLengthError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard length >= 0, Int(length) <= maximumFrameBytes else {
            throw FrameLengthError(length: length, maximum: maximumFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}

extension ByteBuffer {
    /// Writes `body` as one length-prefixed frame.
    public mutating func writeJuteFrame(_ body: (inout ByteBuffer) -> Void) {
        let lengthIndex = writerIndex
        writeInteger(Int32(0))
        let start = writerIndex
        body(&self)
        setInteger(Int32(writerIndex - start), at: lengthIndex, endianness: .big)
    }
}
