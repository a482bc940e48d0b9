import NIOConcurrencyHelpers
import NIOCore

/// The order in which the election port accepted its connections.
///
/// A peer opens a new connection only after giving up its old one, so of two connections from one peer the one
/// accepted later is the one it uses. Their handshakes, though, are read on different event loops and can reach
/// the manager in either order; the accept order tells which one to keep.
final class ElectionAcceptOrder: Sendable {
    private let state = NIOLockedValueBox<(next: UInt64, byChannel: [ObjectIdentifier: UInt64])>((0, [:]))

    /// Called in accept order, on the listening channel's loop.
    func record(_ channel: any Channel) {
        state.withLockedValue { state in
            state.byChannel[ObjectIdentifier(channel)] = state.next
            state.next += 1
        }
    }

    /// The channel's place in the accept order, forgetting it (each channel asks once, or closes).
    func take(_ channel: any Channel) -> UInt64? {
        state.withLockedValue { $0.byChannel.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// Sits on the listening channel, ahead of the bootstrap's own acceptor, and numbers each accepted channel.
final class ElectionAcceptRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel

    private let order: ElectionAcceptOrder

    init(order: ElectionAcceptOrder) {
        self.order = order
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        order.record(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}
