import AviaryTLS
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// A port that takes TLS, plain text or both, over real loopback sockets: the right kind of peer gets through
/// with its bytes intact, the wrong kind is closed, and a certificate from another CA is refused.
@Suite(.timeLimit(.minutes(1)))
struct TLSPortGuardTests {
    static let group = MultiThreadedEventLoopGroup.singleton
    static let logger: Logger = {
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical  // the failures are provoked on purpose
        return logger
    }()

    /// Echoes what it reads, and notes the peer certificate's subject once bytes arrive.
    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let subjects: NIOLockedValueBox<[String]>

        init(subjects: NIOLockedValueBox<[String]>) { self.subjects = subjects }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
                let certificate = tls.peerCertificate, let subject = CertificateSubject.rfc2253(of: certificate)
            {
                subjects.withLockedValue { $0.append(subject) }
            }
            context.writeAndFlush(data, promise: nil)
        }
    }

    struct Listener {
        let channel: any Channel
        let subjects: NIOLockedValueBox<[String]>
        var port: Int { channel.localAddress!.port! }
    }

    static func listen(accepting accepts: TLSPortGuard.Accepts) async throws -> Listener {
        let subjects = NIOLockedValueBox<[String]>([])
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TLSPortGuard(accepts: accepts, portName: "test", logger: logger), Echo(subjects: subjects))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return Listener(channel: channel, subjects: subjects)
    }

    /// Sends `text` and returns what comes back before the connection closes or two seconds pass.
    static func exchange(_ text: String, port: Int, tls: TLSContextSource? = nil) async throws -> String? {
        try await exchange(text, port: port) { try tls?.makeClientHandler(serverHostname: "127.0.0.1") }
    }

    /// The same, over the TLS handler `makeTLSHandler` gives (none: plain text).
    static func exchange(
        _ text: String, port: Int, makeTLSHandler: @escaping @Sendable () throws -> NIOSSLClientHandler?
    ) async throws -> String? {
        let received = NIOLockedValueBox<String?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let handler = try makeTLSHandler() { try channel.pipeline.syncOperations.addHandler(handler) }
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
        let deadline = ContinuousClock.now + .seconds(2)
        while received.withLockedValue({ $0 }) != text, channel.isActive, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try? await channel.close()
        return received.withLockedValue { $0 }
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String?>
        init(received: NIOLockedValueBox<String?>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.withLockedValue { $0 = ($0 ?? "") + text }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    @Test func aPlainPortPassesPlainBytesAndClosesOnATLSClient() async throws {
        let fixture = try CertificateFixture(servers: [1], clients: ["alice"])
        let alice = try TLSContextSource(settings: fixture.settings(keyStore: "client.alice.pem"), name: "c", logger: Self.logger)
        let listener = try await Self.listen(accepting: .plainOnly)
        defer { listener.channel.close(promise: nil) }
        #expect(try await Self.exchange("ruok", port: listener.port) == "ruok")
        #expect(try await Self.exchange("ruok", port: listener.port, tls: alice) == nil)
    }

    @Test func aTLSPortVerifiesBothSidesAndClosesOnPlainText() async throws {
        let fixture = try CertificateFixture(servers: [1], clients: ["alice"])
        let server = try TLSContextSource(settings: fixture.settings(keyStore: "server.1.pem"), name: "s", logger: Self.logger)
        let alice = try TLSContextSource(settings: fixture.settings(keyStore: "client.alice.pem"), name: "c", logger: Self.logger)
        let listener = try await Self.listen(accepting: .tlsOnly(server))
        defer { listener.channel.close(promise: nil) }
        #expect(try await Self.exchange("hello", port: listener.port, tls: alice) == "hello")
        #expect(listener.subjects.withLockedValue { $0 } == ["CN=alice,O=Aviary"])
        #expect(try await Self.exchange("hello", port: listener.port) == nil)
    }

    @Test func aUnifiedPortTakesBoth() async throws {
        let fixture = try CertificateFixture(servers: [1], clients: ["alice"])
        let server = try TLSContextSource(settings: fixture.settings(keyStore: "server.1.pem"), name: "s", logger: Self.logger)
        let alice = try TLSContextSource(settings: fixture.settings(keyStore: "client.alice.pem"), name: "c", logger: Self.logger)
        let listener = try await Self.listen(accepting: .either(server))
        defer { listener.channel.close(promise: nil) }
        #expect(try await Self.exchange("plain", port: listener.port) == "plain")
        #expect(try await Self.exchange("secret", port: listener.port, tls: alice) == "secret")
    }

    @Test func aCertificateFromAnotherAuthorityIsRefused() async throws {
        let ours = try CertificateFixture(servers: [1])
        let theirs = try CertificateFixture(servers: [], clients: ["mallory"])
        let server = try TLSContextSource(settings: ours.settings(keyStore: "server.1.pem"), name: "s", logger: Self.logger)
        // Mallory trusts our CA, so only our side's check can refuse her.
        let mallory = try TLSContextSource(
            settings: TLSSettings(keyStorePath: theirs.path("client.mallory.pem"), trustStorePath: ours.path("ca.pem")),
            name: "c", logger: Self.logger)
        let listener = try await Self.listen(accepting: .tlsOnly(server))
        defer { listener.channel.close(promise: nil) }
        #expect(try await Self.exchange("hello", port: listener.port, tls: mallory) == nil)
        #expect(listener.subjects.withLockedValue { $0 }.isEmpty)
    }

    @Test func wantAcceptsAClientWithoutACertificate() async throws {
        let fixture = try CertificateFixture(servers: [1], clients: [])
        let server = try TLSContextSource(
            settings: fixture.settings(keyStore: "server.1.pem", clientAuth: .want), name: "s", logger: Self.logger)
        let listener = try await Self.listen(accepting: .tlsOnly(server))
        defer { listener.channel.close(promise: nil) }
        let needing = try await Self.listen(
            accepting: .tlsOnly(try TLSContextSource(settings: fixture.settings(keyStore: "server.1.pem"), name: "s", logger: Self.logger)))
        defer { needing.channel.close(promise: nil) }
        let anonymous = try AnonymousClient(trustStore: fixture.path("ca.pem"))
        #expect(try await anonymous.exchange("hi", port: listener.port) == "hi")
        #expect(try await anonymous.exchange("hi", port: needing.port) == nil)
    }

    @Test func aSilentPeerOnATLSPortIsDropped() async throws {
        let fixture = try CertificateFixture(servers: [1])
        let server = try TLSContextSource(settings: fixture.settings(keyStore: "server.1.pem"), name: "s", logger: Self.logger)
        let listener = try await Self.listen(accepting: .tlsOnly(server))
        defer { listener.channel.close(promise: nil) }
        let channel = try await ClientBootstrap(group: Self.group).connect(host: "127.0.0.1", port: listener.port).get()
        let started = ContinuousClock.now
        try await channel.closeFuture.get()
        #expect(ContinuousClock.now - started >= .seconds(4))
    }

    @Test func changedFilesAreReloadedForNewConnections() async throws {
        let fixture = try CertificateFixture(servers: [1], clients: ["alice"])
        let server = try TLSContextSource(
            settings: fixture.settings(keyStore: "server.1.pem", reload: true), name: "s", logger: Self.logger)
        #expect(!server.reloadIfChanged())
        let listener = try await Self.listen(accepting: .tlsOnly(server))
        defer { listener.channel.close(promise: nil) }

        // The ensemble moves to a new CA: new server certificate and trust store in the same files.
        let next = try CertificateFixture(servers: [1], clients: ["carol"])
        for file in ["server.1.pem", "ca.pem"] {
            try? FileManager.default.removeItem(atPath: fixture.path(file))
            try FileManager.default.copyItem(atPath: next.path(file), toPath: fixture.path(file))
        }
        let alice = try TLSContextSource(
            settings: TLSSettings(keyStorePath: fixture.path("client.alice.pem"), trustStorePath: next.path("ca.pem")),
            name: "c", logger: Self.logger)
        let carol = try TLSContextSource(settings: next.settings(keyStore: "client.carol.pem"), name: "c", logger: Self.logger)
        #expect(server.reloadIfChanged())
        #expect(try await Self.exchange("new", port: listener.port, tls: carol) == "new")
        #expect(try await Self.exchange("old", port: listener.port, tls: alice) == nil)
    }
}

/// A TLS client with no certificate of its own.
struct AnonymousClient {
    let context: NIOSSLContext

    init(trustStore: String) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustStore))
        context = try NIOSSLContext(configuration: configuration)
    }

    func exchange(_ text: String, port: Int) async throws -> String? {
        let context = self.context
        return try await TLSPortGuardTests.exchange(text, port: port) {
            try NIOSSLClientHandler(context: context, serverHostname: nil)
        }
    }
}
