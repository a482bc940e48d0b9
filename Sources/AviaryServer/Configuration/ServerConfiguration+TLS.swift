import AviaryTLS
import Foundation

/// TLS as zoo.cfg describes it, with ZooKeeper's key names: `ssl.quorum.*` for election and learner connections,
/// `ssl.*` for clients on `secureClientPort`.
public struct ServerTLSOptions: Sendable, Equatable {
    /// `sslQuorum`: this server dials its peers with TLS and, unless `portUnification`, accepts only TLS from them.
    public var sslQuorum = false
    /// `portUnification`: the quorum ports accept TLS and plain text alike (for a rolling change to TLS).
    public var portUnification = false
    /// From the `ssl.quorum.*` keys, when a key store is configured.
    public var quorum: TLSSettings?
    /// From the `ssl.*` keys, when a key store is configured.
    public var client: TLSSettings?
    /// `secureClientPortAddress`; nil means the client port's address.
    public var secureClientPortAddress: String?
    /// `client.portUnification`: the plain client port also accepts TLS clients.
    public var clientPortUnification = false
    /// `X509AuthenticationProvider.superUser`: the certificate subject that has every right.
    public var x509SuperUser: String?

    public init() {}
}

/// One `ssl.` or `ssl.quorum.` key family while the file is read.
struct TLSKeyFamily {
    let prefix: String
    var keyStoreLocation: String?
    var keyStorePassword: String?
    var keyStorePasswordPath: String?
    var trustStoreLocation: String?
    var hostnameVerification = true
    var clientAuth = TLSSettings.ClientAuth.need
    var reloadWhenChanged = false

    /// The settings, or nil when no key store is configured; a half-configured family is an error.
    func settings(fail: (String, String) -> ConfigurationError) throws(ConfigurationError) -> TLSSettings? {
        guard keyStoreLocation != nil || trustStoreLocation != nil else { return nil }
        guard let keyStoreLocation else {
            throw fail(prefix + "trustStore.location", "set, but \(prefix)keyStore.location is not")
        }
        guard let trustStoreLocation else {
            throw fail(prefix + "keyStore.location", "set, but \(prefix)trustStore.location is not (Aviary has no default trust store)")
        }
        var password = keyStorePassword
        if let passwordPath = keyStorePasswordPath {
            guard let data = FileManager.default.contents(atPath: passwordPath) else {
                throw fail(prefix + "keyStore.passwordPath", "cannot read \(passwordPath)")
            }
            password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return TLSSettings(
            keyStorePath: keyStoreLocation, keyStorePassword: password?.isEmpty == true ? nil : password,
            trustStorePath: trustStoreLocation, hostnameVerification: hostnameVerification, clientAuth: clientAuth,
            reloadWhenChanged: reloadWhenChanged)
    }
}

extension ServerConfigurationParser {
    /// Reads one TLS key; false if `key` is not one.
    mutating func applyTLS(key: String, value: String, line: Int) throws(ConfigurationValueError) -> Bool {
        typealias Read = ConfigurationValues
        switch key {
        case "sslQuorum": configuration.tls.sslQuorum = try Read.boolean(value)
        case "portUnification": configuration.tls.portUnification = try Read.boolean(value)
        case "sslQuorumReloadCertFiles": quorumTLS.reloadWhenChanged = try Read.boolean(value)
        case "client.certReload": clientTLS.reloadWhenChanged = try Read.boolean(value)
        case "client.portUnification": configuration.tls.clientPortUnification = try Read.boolean(value)
        case "secureClientPortAddress": configuration.tls.secureClientPortAddress = try Read.host(value)
        case "X509AuthenticationProvider.superUser": configuration.tls.x509SuperUser = try Read.nonEmpty(value)
        case _ where key.hasPrefix("ssl.quorum."):
            var family = quorumTLS
            try applyFamilyKey(String(key.dropFirst("ssl.quorum.".count)), value, to: &family, line: line)
            quorumTLS = family
        case _ where key.hasPrefix("ssl."):
            var family = clientTLS
            try applyFamilyKey(String(key.dropFirst("ssl.".count)), value, to: &family, line: line)
            clientTLS = family
        default:
            return false
        }
        return true
    }

    private mutating func applyFamilyKey(
        _ name: String, _ value: String, to family: inout TLSKeyFamily, line: Int
    ) throws(ConfigurationValueError) {
        typealias Read = ConfigurationValues
        switch name {
        case "keyStore.location": family.keyStoreLocation = try storePath(value)
        case "trustStore.location": family.trustStoreLocation = try storePath(value)
        case "keyStore.password": family.keyStorePassword = value
        case "keyStore.passwordPath": family.keyStorePasswordPath = try storePath(value)
        case "keyStore.type", "trustStore.type":
            guard value.isEmpty || value.uppercased() == "PEM" else {
                throw ConfigurationValueError(
                    "'\(value)' stores are not supported; Aviary reads PEM (convert with keytool -importkeystore and openssl pkcs12)")
            }
        case "trustStore.password", "trustStore.passwordPath":
            break  // PEM trust stores hold only certificates
        case "hostnameVerification": family.hostnameVerification = try Read.boolean(value)
        case "clientAuth":
            guard let auth = value.isEmpty ? .need : TLSSettings.ClientAuth(rawValue: value.lowercased()) else {
                throw ConfigurationValueError("not 'none', 'want' or 'need': '\(value)'")
            }
            family.clientAuth = auth
        case "protocol", "enabledProtocols":
            let versions = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if versions.contains(where: { ["TLSv1", "TLSv1.1", "SSLv3"].contains($0) }) {
                warn(line: line, key: family.prefix + name, "TLS before 1.2 is refused; Aviary speaks TLS 1.2 and 1.3")
            }
        case "ciphersuites":
            warn(line: line, key: family.prefix + name, "ignored; Aviary uses BoringSSL's TLS 1.2/1.3 AEAD cipher suites")
        case "crl", "ocsp":
            if try Read.boolean(value) {
                warn(line: line, key: family.prefix + name, "revocation checking is not supported yet; ignored")
            }
        case "handshakeDetectionTimeoutMillis": _ = try Read.positiveInteger(value)
        case "context.supplier.class", "authProvider", "allowReverseDnsLookup", "sslProvider":
            warn(line: line, key: family.prefix + name, "only meaningful to the Java server; ignored")
        default:
            warn(line: line, key: family.prefix + name, "unknown TLS key; ignored")
        }
    }

    private func storePath(_ value: String) throws(ConfigurationValueError) -> String {
        // Resolved like dataDir: relative to the configuration file's directory.
        try ConfigurationValues.directory(value, relativeTo: baseDirectory)
    }

    /// Cross-checks once the whole file is read.
    mutating func finishTLS() throws(ConfigurationError) {
        let fail = { (key: String, reason: String) in self.error(key: key, reason) }
        configuration.tls.quorum = try quorumTLS.settings(fail: fail)
        configuration.tls.client = try clientTLS.settings(fail: fail)
        if configuration.tls.sslQuorum || configuration.tls.portUnification, configuration.tls.quorum == nil {
            let key = configuration.tls.sslQuorum ? "sslQuorum" : "portUnification"
            throw error(key: key, "needs ssl.quorum.keyStore.location and ssl.quorum.trustStore.location")
        }
        let wantsClientTLS = configuration.secureClientPort != nil || configuration.tls.clientPortUnification
        if wantsClientTLS, configuration.tls.client == nil {
            let key = configuration.secureClientPort != nil ? "secureClientPort" : "client.portUnification"
            throw error(key: key, "needs ssl.keyStore.location and ssl.trustStore.location")
        }
    }
}
