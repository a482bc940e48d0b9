import AviaryTLS
import Logging
import NIOCore
import NIOSSL

/// How election and learner connections use TLS (`sslQuorum`, `portUnification`, `ssl.quorum.*`): the handlers
/// that go in front of the quorum protocol's own, on the accepting and on the dialing side. TLS is set up here
/// and nowhere else; the protocol handlers behind see the same bytes either way.
public struct QuorumSecurity: Sendable {
    public let tls: TLSContextSource?
    /// `sslQuorum`: dial peers with TLS.
    public let dialsWithTLS: Bool
    /// What the election and learner ports accept.
    public let accepts: TLSPortGuard.Accepts

    public static let plainText = QuorumSecurity(tls: nil, sslQuorum: false, portUnification: false)

    /// `sslQuorum` without `portUnification` accepts TLS only; `portUnification` accepts both, so members can
    /// move to TLS one restart at a time.
    public init(tls: TLSContextSource?, sslQuorum: Bool, portUnification: Bool) {
        self.tls = tls
        self.dialsWithTLS = sslQuorum && tls != nil
        if let tls, portUnification {
            accepts = .either(tls)
        } else if let tls, sslQuorum {
            accepts = .tlsOnly(tls)
        } else {
            accepts = .plainOnly
        }
    }

    /// Puts the handlers an accepted connection starts with into its pipeline, ahead of anything added after.
    func addAcceptingHandlers(to channel: any Channel, portName: String, logger: Logger) throws {
        try channel.pipeline.syncOperations.addHandler(
            TLSPortGuard(accepts: accepts, portName: portName, logger: logger))
    }

    /// Puts the TLS client handler into a dialed connection's pipeline when the quorum dials with TLS. The
    /// certificate must name `host` (an IP address is checked against the certificate's IP entries).
    func addDialingHandlers(to channel: any Channel, host: String, portName: String, logger: Logger) throws {
        guard dialsWithTLS, let tls else { return }
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(tls.makeClientHandler(serverHostname: host))
        try sync.addHandler(TLSHandshakeReporter(portName: portName, logger: logger))
    }
}
