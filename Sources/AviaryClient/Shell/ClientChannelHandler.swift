import Logging
import NIOCore

/// The last handler of a client connection: hands whole frames and the connection's end to the driver.
/// It holds no protocol state; it stays on the connection's event loop, which is the driver's.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let connection: ConnectionID
    private let driver: NIOLoopBound<SessionDriver>

    init(connection: ConnectionID, driver: NIOLoopBound<SessionDriver>) {
        self.connection = connection
        self.driver = driver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.value.frameReceived(unwrapInboundIn(data), on: connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.value.transportClosed(connection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A framing error (an over-long frame) or a socket error: the connection is unusable either way.
        driver.value.logger.debug("connection error", metadata: ["connection": "\(connection)", "error": "\(error)"])
        driver.value.lastConnectionError = "\(error)"
        context.close(promise: nil)
    }
}
