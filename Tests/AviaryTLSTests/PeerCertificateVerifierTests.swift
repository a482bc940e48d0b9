import AviaryTLS
import Foundation
import NIOSSL
import SwiftASN1
import Testing
import X509

/// A refused certificate must be refused for the right reason, and the log must say which.
struct PeerCertificateVerifierTests {
    static func verifier(trusting fixture: CertificateFixture) throws -> PeerCertificateVerifier {
        let roots = try NIOSSLCertificate.fromPEMFile(fixture.path("ca.pem")).map { try Certificate(derEncoded: $0.toDERBytes()) }
        return PeerCertificateVerifier(trustRoots: roots)
    }

    static func chain(_ fixture: CertificateFixture, _ file: String) throws -> [NIOSSLCertificate] {
        try NIOSSLCertificate.fromPEMFile(fixture.path(file))
    }

    @Test func aCertificateOfTheTrustedAuthorityPasses() async throws {
        let fixture = try CertificateFixture(servers: [], clients: ["alice"])
        let verifier = try Self.verifier(trusting: fixture)
        #expect(await verifier.refusal(of: try Self.chain(fixture, "client.alice.pem")) == nil)
    }

    @Test func anExpiredCertificateIsCalledExpired() async throws {
        let fixture = try CertificateFixture(servers: [], clients: [])
        let start = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01
        try fixture.issue(clients: ["old"], validity: DateInterval(start: start, duration: 86_400))
        let verifier = try Self.verifier(trusting: fixture)
        let refusal = await verifier.refusal(of: try Self.chain(fixture, "client.old.pem"))
        #expect(refusal == "the peer's certificate 'CN=old,O=Aviary' expired at 2020-01-02T00:00:00Z")
    }

    @Test func aCertificateNotYetValidIsCalledSo() async throws {
        let fixture = try CertificateFixture(servers: [], clients: [])
        try fixture.issue(clients: ["early"], validity: DateInterval(start: Date().addingTimeInterval(86_400), duration: 86_400))
        let verifier = try Self.verifier(trusting: fixture)
        let refusal = await verifier.refusal(of: try Self.chain(fixture, "client.early.pem"))
        #expect(refusal?.hasPrefix("the peer's certificate 'CN=early,O=Aviary' is not valid before ") == true)
    }

    @Test func aCertificateOfAnotherAuthorityIsNotTrusted() async throws {
        let ours = try CertificateFixture(servers: [], clients: [])
        let theirs = try CertificateFixture(servers: [], clients: ["mallory"])
        let verifier = try Self.verifier(trusting: ours)
        let refusal = await verifier.refusal(of: try Self.chain(theirs, "client.mallory.pem"))
        #expect(refusal?.hasPrefix("the peer's certificate 'CN=mallory,O=Aviary' (issuer 'CN=Aviary ensemble CA,O=Aviary')") == true)
    }
}
