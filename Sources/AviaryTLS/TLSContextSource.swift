import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// The TLS contexts of one kind of connection, built from `TLSSettings` and rebuilt when the store files change
/// (with `reloadWhenChanged`). Each new connection takes the contexts current at that moment; connections already
/// open keep theirs.
public final class TLSContextSource: Sendable {
    public let settings: TLSSettings
    /// What the log calls these connections ("quorum", "client").
    public let name: String
    private let logger: Logger
    private let current: NIOLockedValueBox<Contexts>

    private struct Contexts: @unchecked Sendable {
        // NIOSSLContext is thread-safe once built; it is only read after construction.
        var server: NIOSSLContext
        var client: NIOSSLContext
        var verifier: PeerCertificateVerifier
        var fileStamps: [FileStamp]
    }

    /// Reads the stores and builds the contexts; a bad store fails here, at start-up, naming the file.
    public init(settings: TLSSettings, name: String, logger: Logger) throws {
        self.settings = settings
        self.name = name
        self.logger = logger
        self.current = NIOLockedValueBox(try Self.build(settings))
    }

    /// The handler that accepts a TLS connection; why a peer's certificate was refused goes to `diagnosis`.
    public func makeServerHandler(diagnosis: HandshakeDiagnosis = HandshakeDiagnosis()) -> NIOSSLServerHandler {
        let (context, verifier) = current.withLockedValue { ($0.server, $0.verifier) }
        return NIOSSLServerHandler(context: context, customVerificationCallback: verifier.callback(diagnosis: diagnosis))
    }

    /// The handler that opens a TLS connection. Without a host name the certificate must name the dialed IP
    /// address (when hostname verification is on).
    public func makeClientHandler(serverHostname: String?) throws -> NIOSSLClientHandler {
        let sniName = serverHostname.flatMap { Self.isIPAddress($0) ? nil : $0 }
        return try NIOSSLClientHandler(context: current.withLockedValue { $0.client }, serverHostname: sniName)
    }

    /// Rebuilds the contexts if a store file changed since they were built. A store that no longer loads is
    /// logged and the previous contexts stay in use. Returns whether new contexts were installed.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let stamps = Self.stamps(settings)
        guard stamps != current.withLockedValue({ $0.fileStamps }) else { return false }
        do {
            let rebuilt = try Self.build(settings)
            current.withLockedValue { $0 = rebuilt }
            logger.notice("reloaded TLS certificates", metadata: ["connections": "\(name)"])
            return true
        } catch {
            // Remember the stamps so the same broken files are reported once, not on every check.
            current.withLockedValue { $0.fileStamps = stamps }
            logger.error(
                "keeping the previous TLS certificates: the changed ones do not load",
                metadata: ["connections": "\(name)", "reason": "\(error)"])
            return false
        }
    }

    /// Checks the store files every `interval` on `eventLoop` while `reloadWhenChanged` is set.
    public func watchFiles(on eventLoop: any EventLoop, every interval: TimeAmount) -> RepeatedTask? {
        guard settings.reloadWhenChanged else { return nil }
        return eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            reloadIfChanged()
        }
    }

    private static func build(_ settings: TLSSettings) throws -> Contexts {
        let stamps = stamps(settings)
        let material = try TLSMaterial.load(settings)
        let chain = material.certificateChain.map(NIOSSLCertificateSource.certificate)
        let key = NIOSSLPrivateKeySource.privateKey(material.privateKey)

        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        server.minimumTLSVersion = .tlsv12
        server.trustRoots = .certificates(material.trustRoots)
        server.certificateVerification =
            switch settings.clientAuth {
            case .none: .none
            case .want: .optionalVerification
            // The dialing side's address is often not the one its certificate names (any source address
            // works), so the accepting side verifies the chain only.
            case .need: .noHostnameVerification
            }

        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        client.certificateChain = chain
        client.privateKey = key
        client.trustRoots = .certificates(material.trustRoots)
        client.certificateVerification = settings.hostnameVerification ? .fullVerification : .noHostnameVerification
        let roots = try material.trustRoots.map { try Certificate(derEncoded: $0.toDERBytes()) }
        return Contexts(
            server: try NIOSSLContext(configuration: server), client: try NIOSSLContext(configuration: client),
            verifier: PeerCertificateVerifier(trustRoots: roots), fileStamps: stamps)
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    private static func stamps(_ settings: TLSSettings) -> [FileStamp] {
        [settings.keyStorePath, settings.trustStorePath].map(FileStamp.init(path:))
    }
}

/// What tells that a file changed: its modification time and size (a missing file stamps as nil).
struct FileStamp: Hashable, Sendable {
    var modified: Date?
    var size: Int?

    init(path: String) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        modified = attributes?[.modificationDate] as? Date
        size = (attributes?[.size] as? NSNumber)?.intValue
    }
}
