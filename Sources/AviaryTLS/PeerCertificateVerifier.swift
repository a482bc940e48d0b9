import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Verifies the certificate chain a connecting peer presents, in place of BoringSSL's built-in check, so that a
/// refusal can say why: an expired certificate, one not yet valid, or one that does not chain to the trust store
/// (BoringSSL reports all of these as one CERTIFICATE_VERIFY_FAILED). Validation itself is RFC 5280 path
/// validation by swift-certificates against the configured trust roots, at the current time.
public struct PeerCertificateVerifier: Sendable {
    public let trustRoots: [Certificate]

    public init(trustRoots: [Certificate]) {
        self.trustRoots = trustRoots
    }

    /// Nil when `chain` (leaf first) is valid now; otherwise why not.
    public func refusal(of chain: [NIOSSLCertificate], now: Date = Date()) async -> String? {
        let parsed = chain.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        guard let leaf = parsed.first, parsed.count == chain.count else {
            return "the peer's certificate could not be parsed"
        }
        let subject = CertificateSubject.rfc2253(leaf.subject)
        if now > leaf.notValidAfter {
            return "the peer's certificate '\(subject)' expired at \(Self.format(leaf.notValidAfter))"
        }
        if now < leaf.notValidBefore {
            return "the peer's certificate '\(subject)' is not valid before \(Self.format(leaf.notValidBefore))"
        }
        var verifier = Verifier(rootCertificates: CertificateStore(trustRoots)) {
            RFC5280Policy(validationTime: now)
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(parsed.dropFirst())) {
        case .validCertificate:
            return nil
        case .couldNotValidate(let failures):
            let issuer = CertificateSubject.rfc2253(leaf.issuer)
            if failures.isEmpty {
                return "the peer's certificate '\(subject)' (issuer '\(issuer)') does not chain to a trusted CA"
            }
            let reasons = Set(failures.map { "\($0.policyFailureReason)" }).sorted().joined(separator: "; ")
            return "the peer's certificate '\(subject)' (issuer '\(issuer)') is not trusted: \(reasons)"
        }
    }

    /// A NIOSSL verification callback running this check; the reason for a refusal goes to `diagnosis`.
    public func callback(diagnosis: HandshakeDiagnosis) -> NIOSSLCustomVerificationCallback {
        { chain, promise in
            let verifier = self
            let finish = promise
            Task {
                if let refusal = await verifier.refusal(of: chain) {
                    diagnosis.record(refusal)
                    finish.succeed(.failed)
                } else {
                    finish.succeed(.certificateVerified)
                }
            }
        }
    }

    private static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

/// What went wrong in one connection's handshake, as found by the verifier, for the line that reports it.
public final class HandshakeDiagnosis: Sendable {
    private let reason = NIOLockedValueBox<String?>(nil)

    public init() {}

    public func record(_ text: String) { reason.withLockedValue { $0 = text } }

    public var recorded: String? { reason.withLockedValue { $0 } }
}
