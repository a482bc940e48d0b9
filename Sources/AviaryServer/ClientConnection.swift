import AviaryReplica
import AviaryTransport
import AviaryWire
import DequeModule
import NIOCore

/// The driver's record of one client connection.
final class ClientConnection {
    let id: ConnectionID
    let context: ChannelHandlerContext
    let handler: ClientFrameHandler
    let address: String
    let remoteDescription: String
    var handshakeDone = false
    var sessionId: Int64 = 0
    var packetsReceived = 0
    var packetsSent = 0
    var lastOperation = "NA"
    var lastCxid: Int32 = 0
    var lastZxid: Int64 = 0
    var establishedMillis: Int64 = 0
    var timeoutMillis: Int32 = 0
    /// Arrival times of requests awaiting replies, oldest first (replies are in request order).
    var arrivals: Deque<Int64> = []
    var lastResponseMillis: Int64 = 0
    var lastLatencyMillis = 0
    var minLatencyMillis = 0
    var maxLatencyMillis = 0
    var totalLatencyMillis = 0
    var latencySamples = 0

    var averageLatencyMillis: Int { latencySamples == 0 ? 0 : totalLatencyMillis / latencySamples }

    func recordLatency(_ millis: Int, at now: Int64) {
        lastResponseMillis = now
        lastLatencyMillis = millis
        minLatencyMillis = latencySamples == 0 ? millis : min(minLatencyMillis, millis)
        maxLatencyMillis = max(maxLatencyMillis, millis)
        totalLatencyMillis += millis
        latencySamples += 1
    }
    var needsFlush = false

    init(id: ConnectionID, context: ChannelHandlerContext, handler: ClientFrameHandler, address: String) {
        self.id = id
        self.context = context
        self.handler = handler
        self.address = address
        self.remoteDescription = context.channel.remoteAddress.map { "/\($0.ipAddress ?? address):\($0.port ?? 0)" } ?? "/\(address)"
    }

    /// Writes without flushing; returns true the first time since the last flush, so the caller can remember
    /// this connection among those to flush.
    @discardableResult
    func write(_ buffer: ByteBuffer) -> Bool {
        context.write(NIOAny(buffer), promise: nil)
        packetsSent += 1
        defer { needsFlush = true }
        return !needsFlush
    }

    func flushIfNeeded() {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    /// Closes once everything written so far has reached the socket.
    func closeAfterFlush() {
        let channel = context.channel
        needsFlush = false
        context.writeAndFlush(NIOAny(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
