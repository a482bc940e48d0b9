import NIOCore
import NIOPosix

/// Binds the client port and gives each accepted connection a handler chain.
public enum ClientListener {
    public static func bind(
        group: any EventLoopGroup, host: String, port: Int,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer(initializer)
            .bind(host: host, port: port)
            .get()
    }
}
