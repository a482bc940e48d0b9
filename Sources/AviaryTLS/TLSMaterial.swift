import Foundation
import NIOSSL

/// The certificates and key a TLS context is built from, read from the PEM files that `TLSSettings` names.
///
///     key store   = *( private-key-block / certificate-block )   ; one private key, the leaf certificate first
///     trust store = 1*certificate-block
///
/// Block order within the key store does not matter (ZooKeeper's PEM reader takes the key wherever it is).
public struct TLSMaterial: @unchecked Sendable {
    // NIOSSL's certificate and key types are immutable wrappers of BoringSSL objects.
    public let certificateChain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey
    public let trustRoots: [NIOSSLCertificate]

    public init(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey, trustRoots: [NIOSSLCertificate]) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
    }

    /// Reads both stores; every failure names the file and what is wrong with it.
    public static func load(_ settings: TLSSettings) throws(TLSMaterialError) -> TLSMaterial {
        let keyStore = try read(settings.keyStorePath, role: "key store")
        let chain = try certificates(in: keyStore, path: settings.keyStorePath, role: "key store")
        guard keyStore.contains(text: "PRIVATE KEY-----") else {
            throw TLSMaterialError(path: settings.keyStorePath, reason: "key store holds no private key")
        }
        let key: NIOSSLPrivateKey
        do {
            if let password = settings.keyStorePassword {
                key = try NIOSSLPrivateKey(bytes: keyStore, format: .pem) { setPassphrase in
                    setPassphrase(Array(password.utf8))
                }
            } else {
                key = try NIOSSLPrivateKey(bytes: keyStore, format: .pem)
            }
        } catch {
            let hint = settings.keyStorePassword == nil ? " (is it encrypted? set keyStore.password)" : ""
            throw TLSMaterialError(
                path: settings.keyStorePath, reason: "cannot read the private key\(hint): \(error)")
        }
        let trustStore = try read(settings.trustStorePath, role: "trust store")
        let roots = try certificates(in: trustStore, path: settings.trustStorePath, role: "trust store")
        return TLSMaterial(certificateChain: chain, privateKey: key, trustRoots: roots)
    }

    private static func read(_ path: String, role: String) throws(TLSMaterialError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the \(role)" : "no such file"
            throw TLSMaterialError(path: path, reason: reason)
        }
        return Array(data)
    }

    private static func certificates(
        in bytes: [UInt8], path: String, role: String
    ) throws(TLSMaterialError) -> [NIOSSLCertificate] {
        guard bytes.contains(text: "-----BEGIN") else {
            throw TLSMaterialError(
                path: path, reason: "\(role) is not PEM (Aviary reads PEM only; convert JKS or PKCS#12 with keytool/openssl)")
        }
        let found: [NIOSSLCertificate]
        do {
            found = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TLSMaterialError(path: path, reason: "cannot read the certificates in the \(role): \(error)")
        }
        guard !found.isEmpty else { throw TLSMaterialError(path: path, reason: "\(role) holds no certificate") }
        return found
    }
}

/// A key or trust store that cannot be used, and why.
public struct TLSMaterialError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

extension [UInt8] {
    fileprivate func contains(text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= count else { return false }
        return indices.dropLast(needle.count - 1).contains { self[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
