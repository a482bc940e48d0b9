import AviaryWire
import NIOCore

/// Turns outgoing `LearnerStreamItem`s into bytes. A packet is encoded into a buffer of its own; a snapshot's
/// bytes go out as they are (no copy of a possibly large tree), followed by a small buffer with the signature.
final class LearnerStreamWriter: ChannelOutboundHandler {
    typealias OutboundIn = LearnerStreamItem
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .packet(let packet):
            var buffer = context.channel.allocator.buffer(capacity: 20 + (packet.data?.readableBytes ?? 0))
            packet.encode(to: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .snapshot(let snapshot):
            context.write(wrapOutboundOut(snapshot), promise: nil)
            var signature = context.channel.allocator.buffer(capacity: 14)
            signature.writeJuteString(LearnerStreamDecoder.snapshotSignature)
            context.write(wrapOutboundOut(signature), promise: promise)
        }
    }
}
