import NIOCore
import NIOPosix

/// Sends a four-letter word to a server and returns its text reply (the server closes after answering).
enum FourLetterWord {
    static func send(_ word: String, port: Int) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: word))
            var reply = ""
            for try await chunk in inbound {
                reply += String(buffer: chunk)
            }
            return reply
        }
    }
}
