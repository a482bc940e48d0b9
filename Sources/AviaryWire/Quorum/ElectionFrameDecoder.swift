import NIOCore

/// What arrives on an election connection: the connecting side's handshake (seen only by the accepting side),
/// then messages.
public enum ElectionInbound: Sendable, Hashable {
    case handshake(ElectionHandshake)
    /// One message's payload, length prefix removed: a notification in every ZooKeeper so far.
    case message(ByteBuffer)
}

/// Splits an election connection into its handshake and its messages:
///
///     stream  = [handshake] *message        ; the handshake only on the accepting side
///     message = int length, byte[length]    ; 1 ≤ length ≤ 512 KiB
///
/// A length outside that range is refused as soon as its four bytes are in (ZooKeeper's `RecvWorker` closes the
/// connection on one), so a peer cannot make us buffer more than one legal message.
public struct ElectionFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ElectionInbound

    /// `QuorumCnxManager.PACKETMAXSIZE`.
    public static let messageBytesMax = 512 * 1024

    private var awaitingHandshake: Bool

    /// `expectsHandshake` is true on the accepting side of a connection, false on the dialing side.
    public init(expectsHandshake: Bool) {
        awaitingHandshake = expectsHandshake
    }

    /// Takes the next handshake or message off the front of `buffer`, or returns nil, consuming nothing, until
    /// all of it is there.
    public mutating func next(from buffer: inout ByteBuffer) throws(ElectionWireError) -> ElectionInbound? {
        if awaitingHandshake {
            guard let handshake = try ElectionHandshake.decode(from: &buffer) else { return nil }
            awaitingHandshake = false
            return .handshake(handshake)
        }
        return try Self.nextMessage(from: &buffer).map(ElectionInbound.message)
    }

    /// Takes one whole length-prefixed message off the front of `buffer`, or nil if it is not all there yet.
    public static func nextMessage(from buffer: inout ByteBuffer) throws(ElectionWireError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard length > 0, Int(length) <= messageBytesMax else { throw .messageLength(length) }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let item = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(item))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

extension ByteBuffer {
    /// Writes one election message: its length, then the notification.
    public mutating func writeElectionMessage(_ notification: ElectionNotification) {
        writeJuteInt(Int32(notification.encodedLength))
        notification.encode(to: &self)
    }
}
