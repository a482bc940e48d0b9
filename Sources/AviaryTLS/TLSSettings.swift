/// How one kind of connection uses TLS: the quorum's (`ssl.quorum.*`) or the clients' (`ssl.*`), with ZooKeeper's
/// key names. Key and trust stores are PEM files, the form ZooKeeper 3.8 reads with `keyStore.type=PEM`.
public struct TLSSettings: Sendable, Hashable {
    /// `clientAuth`: whether the accepting side asks for the dialing side's certificate.
    public enum ClientAuth: String, Sendable, Hashable, CaseIterable {
        /// No certificate is asked for.
        case none
        /// A certificate is asked for and verified if given; a client without one is still accepted.
        case want
        /// A verified certificate is required.
        case need
    }

    /// The key store: this server's private key and certificate chain, in one PEM file.
    public var keyStorePath: String
    /// The pass phrase of an encrypted private key in the key store.
    public var keyStorePassword: String?
    /// The certificates of the authorities this side trusts, in one PEM file.
    public var trustStorePath: String
    /// Whether a dialing side checks that the certificate it is shown names the address it dialed.
    public var hostnameVerification: Bool
    public var clientAuth: ClientAuth
    /// Load the stores again when their files change, so new certificates take effect without a restart.
    public var reloadWhenChanged: Bool

    public init(
        keyStorePath: String, keyStorePassword: String? = nil, trustStorePath: String,
        hostnameVerification: Bool = true, clientAuth: ClientAuth = .need, reloadWhenChanged: Bool = false
    ) {
        self.keyStorePath = keyStorePath
        self.keyStorePassword = keyStorePassword
        self.trustStorePath = trustStorePath
        self.hostnameVerification = hostnameVerification
        self.clientAuth = clientAuth
        self.reloadWhenChanged = reloadWhenChanged
    }
}
