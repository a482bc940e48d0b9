import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The first handler of an accepted connection on a port that takes TLS, plain text, or both
/// (`portUnification`): it looks at the first byte the peer sends, sets up TLS if it is a TLS record header,
/// and otherwise passes the bytes on as they are. A connection of the kind the port does not take is closed with a
/// log line that says what happened, so neither kind of misconfigured client is left hanging.
public final class TLSPortGuard: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer

    /// What the port accepts.
    public enum Accepts: Sendable {
        case plainOnly
        case tlsOnly(TLSContextSource)
        case either(TLSContextSource)
    }

    /// A TLS record carrying a handshake message starts with content type 22.
    static let handshakeRecordType: UInt8 = 0x16

    /// ZooKeeper's `ssl.handshakeDetectionTimeoutMillis` default: how long a peer on a port that takes TLS may
    /// stay silent before it is dropped.
    public static let detectionTimeout = TimeAmount.seconds(5)

    private let accepts: Accepts
    private let portName: String
    private let logger: Logger
    private var detectionDeadline: Scheduled<Void>?

    public init(accepts: Accepts, portName: String, logger: Logger) {
        self.accepts = accepts
        self.portName = portName
        self.logger = logger
    }

    public func channelActive(context: ChannelHandlerContext) {
        if case .plainOnly = accepts {
            // A plain port keeps its protocol's own rules for silent peers.
        } else {
            detectionDeadline = TLSPeerLog.dropLater(
                context.channel, after: Self.detectionTimeout, saying: "TLS handshake failed: the peer sent nothing",
                portName: portName, logger: logger)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        detectionDeadline?.cancel()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        detectionDeadline?.cancel()
        detectionDeadline = nil
        let bytes = unwrapInboundIn(data)
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return }
        let looksLikeTLS = first == Self.handshakeRecordType
        let remote = TLSPeerLog.remote(of: context.channel)
        switch (accepts, looksLikeTLS) {
        case (.plainOnly, true):
            logger.warning(
                "closing connection: a TLS client on the plain-text port",
                metadata: ["port": "\(portName)", "remote": "\(remote)"])
            context.close(promise: nil)
        case (.tlsOnly, false):
            logger.warning(
                "TLS handshake failed: the peer sent plain text, not a TLS handshake (a plain-text client on the TLS port?)",
                metadata: ["port": "\(portName)", "remote": "\(remote)"])
            context.close(promise: nil)
        case (.tlsOnly(let source), true), (.either(let source), true):
            do {
                let sync = context.pipeline.syncOperations
                let diagnosis = HandshakeDiagnosis()
                try sync.addHandler(source.makeServerHandler(diagnosis: diagnosis), position: .after(self))
                try sync.addHandler(
                    TLSHandshakeReporter(portName: portName, logger: logger, diagnosis: diagnosis),
                    position: .after(sync.handler(type: NIOSSLServerHandler.self)))
            } catch {
                context.close(promise: nil)
                return
            }
            handOver(context: context, data: data)
        case (.plainOnly, false), (.either, false):
            handOver(context: context, data: data)
        }
    }

    private func handOver(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Sits after the TLS handler: a failed handshake is logged once, with the peer and the reason, and closes the
/// connection without reaching the protocol handlers behind it.
public final class TLSHandshakeReporter: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// How long a TLS handshake may take once begun; a peer that stalls in it is dropped.
    public static let handshakeTimeout = TimeAmount.seconds(10)

    private let portName: String
    private let logger: Logger
    private let diagnosis: HandshakeDiagnosis?
    private var handshakeDone = false
    private var handshakeDeadline: Scheduled<Void>?

    public init(portName: String, logger: Logger, diagnosis: HandshakeDiagnosis? = nil) {
        self.portName = portName
        self.logger = logger
        self.diagnosis = diagnosis
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        handshakeDeadline = TLSPeerLog.dropLater(
            context.channel, after: Self.handshakeTimeout, saying: "TLS handshake failed: not completed in time",
            portName: portName, logger: logger)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            handshakeDone = true
            handshakeDeadline?.cancel()
            handshakeDeadline = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !handshakeDone else {
            context.fireErrorCaught(error)
            return
        }
        logger.warning(
            "TLS handshake failed",
            metadata: [
                "port": "\(portName)", "remote": "\(TLSPeerLog.remote(of: context.channel))",
                "reason": "\(diagnosis?.recorded ?? TLSFailureDescription.describe(error))",
            ])
        context.close(promise: nil)
    }
}

/// What the TLS handlers write about a peer, and the deadline that drops one which stalls.
enum TLSPeerLog {
    static func remote(of channel: any Channel) -> String {
        channel.remoteAddress.map { "\($0)" } ?? "?"
    }

    /// Closes `channel` after `delay` with `warning` logged, unless the returned task is cancelled first.
    static func dropLater(
        _ channel: any Channel, after delay: TimeAmount, saying warning: Logger.Message, portName: String,
        logger: Logger
    ) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: delay) {
            logger.warning(warning, metadata: ["port": "\(portName)", "remote": "\(remote(of: channel))"])
            channel.close(promise: nil)
        }
    }
}

/// Words for what BoringSSL reports, so an operator can tell an untrusted certificate from an expired one.
public enum TLSFailureDescription {
    public static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        let known: [(String, String)] = [
            ("CERTIFICATE_VERIFY_FAILED", "the peer's certificate did not verify (untrusted CA, expired or not yet valid)"),
            ("TLSV1_ALERT_UNKNOWN_CA", "the peer does not trust our certificate's CA"),
            ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "the peer says our certificate has expired"),
            ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the peer sent no certificate, and this port requires one"),
            ("CERTIFICATE_REQUIRED", "the peer requires a certificate and we sent none"),
            ("WRONG_VERSION_NUMBER", "the peer does not speak TLS"),
            ("DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "the peer broke off the handshake (does it trust our certificate's CA?)"),
            ("BAD_PACKET_LENGTH", "the peer broke off the handshake (does it trust our certificate's CA?)"),
            ("UNSUPPORTED_PROTOCOL", "the peer offered only TLS versions older than 1.2"),
            ("NO_SHARED_CIPHER", "no cipher suite in common"),
        ]
        for (code, words) in known where text.contains(code) {
            return "\(words) [\(text)]"
        }
        return text
    }
}
