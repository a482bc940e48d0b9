@testable import AviaryTLS
import Foundation
import NIOSSL
import Testing
import X509

/// The x509 identity must be the string ZooKeeper's Java servers derive, or ACLs written for one fail on the other.
struct CertificateSubjectTests {
    @Test func theMostSpecificPartComesFirst() throws {
        let name = try DistinguishedName {
            CountryName("DE")
            OrganizationName("Aviary")
            OrganizationalUnitName("ops")
            CommonName("alice")
        }
        #expect(CertificateSubject.rfc2253(name) == "CN=alice,OU=ops,O=Aviary,C=DE")
    }

    @Test(arguments: [
        ("plain", "plain"), ("Smith, John", "Smith\\, John"), ("a+b", "a\\+b"), ("#tag", "\\#tag"),
        (" lead", "\\ lead"), ("trail ", "trail\\ "), ("q\"<>;\\", "q\\\"\\<\\>\\;\\\\"),
    ])
    func specialCharactersAreEscapedAsRFC2253Says(value: String, written: String) {
        #expect(CertificateSubject.escape(value) == written)
    }

    @Test func anIssuedClientCertificateIsNamedByItsSubject() throws {
        let fixture = try CertificateFixture(servers: [], clients: ["alice"])
        let certificates = try NIOSSLCertificate.fromPEMFile(fixture.path("client.alice.pem"))
        #expect(certificates.count == 1)
        #expect(CertificateSubject.rfc2253(of: certificates[0]) == "CN=alice,O=Aviary")
    }
}
