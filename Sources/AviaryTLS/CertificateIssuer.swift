import Crypto
import Foundation
import SwiftASN1
import X509

/// A small certificate authority for one ensemble: it signs server certificates (usable on both ends of quorum
/// connections, since servers dial each other) and client certificates. Keys are ECDSA P-256, which ZooKeeper's
/// Java servers and every TLS client in use accept.
public struct CertificateIssuer {
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey
    var keyForExport: P256.Signing.PrivateKey { key }

    public init(certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// A new self-signed CA.
    public static func makeAuthority(
        name: String = "Aviary ensemble CA", validity: DateInterval
    ) throws -> CertificateIssuer {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Aviary")
            CommonName(name)
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: validity.start, notValidAfter: validity.end, issuer: subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return CertificateIssuer(certificate: certificate, key: key)
    }

    /// A certificate for `commonName`, signed by this authority, with a fresh key. `hosts` become subject
    /// alternative names: IP addresses as IP entries, anything else as DNS names.
    public func issue(
        commonName: String, hosts: [String], validity: DateInterval
    ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let subjectKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Aviary")
            CommonName(commonName)
        }
        let names = hosts.map { host -> GeneralName in
            if let bytes = Self.ipAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: bytes[...])) }
            return .dnsName(host)
        }
        let publicKey = Certificate.PublicKey(subjectKey.publicKey)
        let authorityKeyId = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: validity.start, notValidAfter: validity.end, issuer: self.certificate.subject,
            subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyId)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (certificate, subjectKey)
    }

    /// The four or sixteen bytes of an IPv4 or IPv6 address, or nil for a host name.
    static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
