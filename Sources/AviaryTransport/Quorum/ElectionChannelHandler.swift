import AviaryWire
import Logging
import NIOCore

/// One election connection, after `ElectionFrameDecoder`: applies the tie-break to an accepted connection's
/// handshake, then hands each notification to the manager. Lives on the connection's event loop.
final class ElectionChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ElectionInbound

    private let manager: ElectionConnectionManager
    /// Known from the start on a dialed connection; from the handshake on an accepted one.
    private var peerId: Int64?
    private var handshakeDeadline: Scheduled<Void>?

    init(manager: ElectionConnectionManager, peerId: Int64?) {
        self.manager = manager
        self.peerId = peerId
    }

    func channelActive(context: ChannelHandlerContext) {
        if peerId == nil {
            let channel = context.channel
            let logger = manager.logger
            handshakeDeadline = context.eventLoop.scheduleTask(in: manager.configuration.handshakeTimeout) {
                logger.warning(
                    "closing election connection: no handshake in time",
                    metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                channel.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .handshake(let handshake):
            handshakeDeadline?.cancel()
            handshakeDeadline = nil
            receivedHandshake(handshake, context: context)
        case .message(let message):
            guard let peerId else { return }  // the handshake closed this connection; stray bytes
            do {
                manager.deliver(try ElectionNotification.decode(from: message), from: peerId)
            } catch {
                manager.logger.warning(
                    "skipping malformed election notification",
                    metadata: ["peer": "\(peerId)", "reason": "\(error)", "bytes": "\(message.readableBytes)"])
            }
        }
    }

    private func receivedHandshake(_ handshake: ElectionHandshake, context: ChannelHandlerContext) {
        let myId = manager.serverId
        let sid = handshake.serverId
        if sid == myId {
            manager.logger.warning("closing election connection from a server with our own id \(myId)")
            context.close(promise: nil)
        } else if sid < myId || sid == ElectionHandshake.observerId {
            context.close(promise: nil)
            manager.dialBack(sid, announced: handshake.addresses)
        } else {
            peerId = sid
            manager.accepted(context.channel, from: sid)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        manager.logger.warning(
            "closing election connection",
            metadata: [
                "peer": "\(peerId.map(String.init) ?? "unknown")", "reason": "\(error)",
                "remote": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")",
            ])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        manager.closed(context.channel, peerId: peerId)
        context.fireChannelInactive()
    }
}
