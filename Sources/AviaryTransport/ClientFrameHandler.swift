import AviaryWire
import NIOCore

/// What a client connection delivers to the server, in order.
public enum ClientConnectionEvent {
    case opened(remoteAddress: String)
    /// The connection began with a four-letter word instead of a handshake.
    case fourLetterWord(String)
    /// A whole frame, length prefix removed.
    case frame(ByteBuffer)
    /// The byte stream broke the framing rules; the connection is being closed.
    case malformed(String)
    case closed
    /// The socket has no more bytes for now: the moment to flush replies, so pipelined requests share a write.
    case readComplete
}

/// Frames a client connection: recognises a four-letter word in the first four bytes (as ZooKeeper does),
/// otherwise splits the stream into length-prefixed frames no larger than `maximumFrameBytes`.
/// A framing error closes this connection only.
public final class ClientFrameHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer

    public static let fourLetterWords: Set<String> = [
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc",
        "wchp", "wchs", "mntr", "isro", "hash",
    ]

    private let maximumFrameBytes: Int
    private let deliver: (ClientConnectionEvent, ChannelHandlerContext) -> Void
    private var buffered: ByteBuffer?
    private var sawFirstBytes = false
    private var failed = false

    public init(maximumFrameBytes: Int, deliver: @escaping (ClientConnectionEvent, ChannelHandlerContext) -> Void) {
        self.maximumFrameBytes = maximumFrameBytes
        self.deliver = deliver
    }

    public func channelActive(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        deliver(.opened(remoteAddress: address), context)
        context.fireChannelActive()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        deliver(.readComplete, context)
        context.fireChannelReadComplete()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deliver(.closed, context)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeBuffer(&incoming)
        }
        if !sawFirstBytes {
            guard let prefix = buffered!.getString(at: buffered!.readerIndex, length: 4) else { return }
            sawFirstBytes = true
            if Self.fourLetterWords.contains(prefix) {
                buffered = nil
                failed = true  // nothing after the word is read
                deliver(.fourLetterWord(prefix), context)
                return
            }
        }
        do {
            while let frame = try JuteFrameDecoder.nextFrame(from: &buffered!, maximumFrameBytes: maximumFrameBytes) {
                deliver(.frame(frame), context)
                if failed { return }
            }
        } catch {
            fail(context: context, reason: "\(error)")
            return
        }
        if buffered!.readableBytes == 0 {
            buffered = nil
        } else {
            buffered!.discardReadBytes()
        }
    }

    /// Stops reading and closes; used for framing errors and by the server for protocol errors.
    public func fail(context: ChannelHandlerContext, reason: String) {
        guard !failed else { return }
        failed = true
        buffered = nil
        deliver(.malformed(reason), context)
        context.close(promise: nil)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
