import NIOCore
import NIOSSL

/// TLS for a client's connections, from PEM files as ZooKeeper's clients take them (`zookeeper.ssl.*`): the
/// CA certificates to trust and, for servers that ask (`ssl.clientAuth`), a certificate with its key. The
/// certificate's subject becomes the session's `x509` identity on the server.
public struct ClientTLS: Sendable, Hashable {
    /// PEM file of the CA certificates the server's certificate must chain to.
    public var trustStorePath: String
    /// PEM file holding this client's certificate (and its key, unless `keyPath` is given); nil for none.
    public var certificatePath: String?
    /// PEM file holding the private key, when it is not in `certificatePath`.
    public var keyPath: String?
    /// Check that the server's certificate names the host (or IP address) dialed.
    public var verifiesHostname = true

    public init(trustStorePath: String, certificatePath: String? = nil, keyPath: String? = nil, verifiesHostname: Bool = true) {
        self.trustStorePath = trustStorePath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.verifiesHostname = verifiesHostname
    }

    /// Reads the files; a file that is missing or not PEM fails here, before any connection is tried.
    public func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustStorePath))
        configuration.certificateVerification = verifiesHostname ? .fullVerification : .noHostnameVerification
        if let certificatePath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath ?? certificatePath, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

extension ZooKeeperClient.Configuration {
    /// Connects over TLS from now on; throws if the PEM files cannot be used.
    public mutating func useTLS(_ tls: ClientTLS) throws {
        let context = try tls.makeContext()
        channelInitializer = { channel, server in
            channel.eventLoop.makeCompletedFuture {
                // SNI and hostname checks take names; an IP address is checked against the certificate's IP entries.
                let isAddress = (try? SocketAddress(ipAddress: server.host, port: 0)) != nil
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : server.host))
            }
        }
    }
}
