import AviaryWire
import Logging
import NIOCore

/// The consumer's end of a learner-port connection: reports it opened, every decoded item, and its end. A
/// stream error (bad packet, oversized field, wrong snapshot signature) is logged and closes this connection:
/// the stream has no frames, so there is no next packet to resynchronize on.
final class LearnerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = LearnerStreamItem

    private let onEvent: @Sendable (LearnerConnectionEvent) -> Void
    private let logger: Logger
    private var connection: LearnerConnection?
    private var closeReason: String?

    init(logger: Logger, onEvent: @escaping @Sendable (LearnerConnectionEvent) -> Void) {
        self.logger = logger
        self.onEvent = onEvent
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = LearnerConnection(channel: context.channel)
        self.connection = connection
        onEvent(.opened(connection))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        onEvent(.received(connection, unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil { closeReason = "\(error)" }
        logger.warning(
            "closing learner connection",
            metadata: ["remote": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")", "reason": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { onEvent(.closed(connection, reason: closeReason)) }
        connection = nil
        context.fireChannelInactive()
    }
}

/// The pipeline both ends of a learner connection share.
enum LearnerChannelSetup {
    static func configure(
        _ channel: any Channel, packetBytesMax: Int, logger: Logger,
        onEvent: @escaping @Sendable (LearnerConnectionEvent) -> Void,
        addSecurityHandlers: @escaping () throws -> Void
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try addSecurityHandlers()
            try channel.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(LearnerStreamDecoder(packetBytesMax: packetBytesMax)),
                LearnerChannelHandler(logger: logger, onEvent: onEvent))
        }
    }
}
