import AviaryTLS
import Foundation
import NIOSSL
import SwiftASN1
import Testing
import X509

/// `aviary-server certs`: files a server and ZooKeeper's PEM reader can load, signed by one CA.
struct EnsembleCertificatesTests {
    @Test func serverCertificatesNameTheirHostsAndLoopback() throws {
        let fixture = try CertificateFixture(servers: [1, 2])
        for id in [1, 2] {
            let material = try TLSMaterial.load(fixture.settings(keyStore: "server.\(id).pem"))
            #expect(material.certificateChain.count == 1)
            let certificate = try Certificate(derEncoded: material.certificateChain[0].toDERBytes())
            #expect(CertificateSubject.rfc2253(certificate.subject) == "CN=server.\(id),O=Aviary")
            let names = try #require(try certificate.extensions.subjectAlternativeNames)
            #expect(names.contains(.dnsName("localhost")))
            #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
            let usages = try #require(try certificate.extensions.extendedKeyUsage)
            #expect(usages.contains(.serverAuth) && usages.contains(.clientAuth))
        }
    }

    @Test func keysArePKCS8AsZooKeepersPEMReaderWants() throws {
        let fixture = try CertificateFixture(servers: [1])
        let text = try String(contentsOfFile: fixture.path("server.1.pem"), encoding: .utf8)
        #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(text.contains("-----BEGIN CERTIFICATE-----"))
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.path("server.1.pem"))[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
    }

    @Test func aSecondRunIssuesFromTheSameAuthority() throws {
        let fixture = try CertificateFixture(servers: [1])
        let authority = try String(contentsOfFile: fixture.path("ca.pem"), encoding: .utf8)
        try fixture.issue(clients: ["bob"])
        #expect(try String(contentsOfFile: fixture.path("ca.pem"), encoding: .utf8) == authority)
        let ca = try Certificate(pemEncoded: authority)
        let bob = try Certificate(derEncoded: NIOSSLCertificate.fromPEMFile(fixture.path("client.bob.pem"))[0].toDERBytes())
        #expect(bob.issuer == ca.subject)
    }

    @Test func aStoreThatCannotBeUsedIsNamedWithTheReason() throws {
        let fixture = try CertificateFixture(servers: [1])
        try "not a certificate".write(toFile: fixture.path("junk.pem"), atomically: true, encoding: .utf8)
        #expect(throws: TLSMaterialError.self) { try TLSMaterial.load(fixture.settings(keyStore: "junk.pem")) }
        do {
            _ = try TLSMaterial.load(fixture.settings(keyStore: "ca.pem"))
            Issue.record("a key store without a key loaded")
        } catch {
            #expect(error.description == "\(fixture.path("ca.pem")): key store holds no private key")
        }
        do {
            _ = try TLSMaterial.load(fixture.settings(keyStore: "server.1.pem", trustStore: "missing.pem"))
            Issue.record("a missing trust store loaded")
        } catch {
            #expect(error.description == "\(fixture.path("missing.pem")): no such file")
        }
    }
}
