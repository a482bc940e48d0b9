import AviaryTLS
import AviaryTransport
import Logging
import NIOCore

/// The TLS contexts a server's configuration asks for, loaded at start-up (a bad key or trust store stops
/// start-up naming the file) and reloaded when their files change if so configured.
struct ServerTLS: Sendable {
    let quorum: TLSContextSource?
    let client: TLSContextSource?
    let options: ServerTLSOptions

    init(options: ServerTLSOptions, logger: Logger) throws {
        self.options = options
        do {
            quorum = try options.quorum.map { try TLSContextSource(settings: $0, name: "quorum", logger: logger) }
        } catch {
            throw StartupError("quorum TLS (ssl.quorum.*): \(error)")
        }
        do {
            client = try options.client.map { try TLSContextSource(settings: $0, name: "client", logger: logger) }
        } catch {
            throw StartupError("client TLS (ssl.*): \(error)")
        }
    }

    var quorumSecurity: QuorumSecurity {
        QuorumSecurity(tls: quorum, sslQuorum: options.sslQuorum, portUnification: options.portUnification)
    }

    /// What the plain `clientPort` accepts: TLS too with `client.portUnification`.
    var clientPortAccepts: TLSPortGuard.Accepts {
        if let client, options.clientPortUnification { return .either(client) }
        return .plainOnly
    }

    /// Checks the store files for changes every two seconds, where reloading is configured.
    func watchFiles(on eventLoop: any EventLoop) -> [RepeatedTask] {
        [quorum, client].compactMap { $0?.watchFiles(on: eventLoop, every: .seconds(2)) }
    }
}
