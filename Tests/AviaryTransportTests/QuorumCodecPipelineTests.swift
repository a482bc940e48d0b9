@testable import AviaryTransport
import AviaryWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// The codecs inside a NIO pipeline: decoders checked by NIO's own verifier (any split of the input, leftover
/// handling, reentrancy), and a learner connection's batching.
struct QuorumCodecPipelineTests {
    /// The dialing side's decoder: the verifier also feeds its input twice in a row, which a stream with a
    /// handshake (sent once per connection) cannot take.
    @Test func theElectionDecoderPassesNIOsDecoderVerifier() throws {
        let notification = ElectionNotification(
            state: .following, leader: 3, zxid: 0x1_0000_0004, electionEpoch: 2, peerEpoch: 1,
            config: Array("version=100000000".utf8))
        var input = ByteBuffer()
        input.writeElectionMessage(notification)
        input.writeElectionMessage(notification)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, [.message(notification.encoded()), .message(notification.encoded())])],
            decoderFactory: { ElectionFrameDecoder(expectsHandshake: false) })
    }

    @Test func theLearnerDecoderPassesNIOsDecoderVerifier() throws {
        var snapshot = ByteBuffer()
        snapshot.writeJuteInt(0)
        snapshot.writeJuteInt(0)
        snapshot.writeJuteString("/")
        let items: [LearnerStreamItem] =
            [.packet(QuorumPacket(.leaderInfo, zxid: 0x1_0000_0000, data: LeaderInfoData().encoded()))]
            + LearnerStreamItem.snapshotSync(zxid: 3, snapshot: snapshot)
            + [.packet(QuorumPacket(.upToDate, zxid: -1))]
        var input = ByteBuffer()
        for item in items { item.encode(to: &input) }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, items)], decoderFactory: { LearnerStreamDecoder(packetBytesMax: 1024) })
    }

    /// Counts flushes as they pass towards the socket.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var flushes = 0

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    @Test func aBatchOfPacketsIsWrittenInOrderWithOneFlush() throws {
        let counter = FlushCounter()
        let channel = EmbeddedChannel(handlers: [counter])
        let connection = LearnerConnection(channel: channel)
        let snapshot = ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x2F])
        let packets = (1...5).map { QuorumPacket(.commit, zxid: Int64($0)) }
        connection.sendSnapshotSync(zxid: 9, snapshot: snapshot, followedBy: packets)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)

        var written = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
        var expected = ByteBuffer()
        let items = LearnerStreamItem.snapshotSync(zxid: 9, snapshot: snapshot) + packets.map(LearnerStreamItem.packet)
        for item in items {
            item.encode(to: &expected)
        }
        #expect(written == expected)
        _ = try channel.finish()
    }
}
