import ArgumentParser
import AviaryServer
import AviaryTLS
import Foundation

/// `aviary-server certs`: everything an ensemble needs for TLS, as PEM files, in one command.
struct Certificates: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make an ensemble CA and PEM certificates for its servers and clients.",
        discussion: """
            Writes into --out: ca.pem (the trust store of every server and client), ca-key.pem (keep it to issue \
            more later; do not deploy it), server.<id>.pem (key and certificate: ssl.quorum.keyStore and \
            ssl.keyStore of server <id>) and client.<name>.pem (subject CN=<name>,O=Aviary, the x509 ACL id). \
            A CA already in --out is reused. Servers come from --server and/or the server.N lines of --config; \
            every server certificate also names 127.0.0.1 and localhost.
            """)

    @Option(help: "Directory to write the PEM files into (created if missing).")
    var out: String

    @Option(name: .customLong("server"), help: "ID=HOST[,HOST...]: a server certificate for these addresses.")
    var servers: [String] = []

    @Option(help: "A zoo.cfg whose server.N lines name the servers to make certificates for.")
    var config: String?

    @Option(name: .customLong("client"), help: "NAME: a client certificate with subject CN=NAME,O=Aviary.")
    var clients: [String] = []

    @Option(help: "Days the certificates stay valid.")
    var days: Int = 825

    @Option(help: "YYYY-MM-DD (UTC) the certificates become valid (default: an hour ago).")
    var notBefore: String?

    func run() throws {
        var requested = try servers.map(Self.parseServer)
        if let config {
            let parsed: ServerConfiguration
            do {
                parsed = try ServerConfiguration.load(path: config)
            } catch {
                throw ValidationError("\(error)")
            }
            for server in parsed.servers where !requested.contains(where: { $0.id == server.id }) {
                requested.append(.init(id: server.id, hosts: server.addresses.map(\.host)))
            }
        }
        guard !requested.isEmpty || !clients.isEmpty else {
            throw ValidationError("nothing to make: give --server, --config or --client")
        }
        for client in clients where client.isEmpty || client.contains("/") {
            throw ValidationError("client name '\(client)' must be non-empty and contain no '/'")
        }
        guard days > 0 else { throw ValidationError("--days must be positive") }
        let start = try notBefore.map(Self.parseDate) ?? Date().addingTimeInterval(-3600)
        let validity = DateInterval(start: start, duration: TimeInterval(days) * 86_400)
        let written: (files: [String], createdAuthority: Bool)
        do {
            written = try EnsembleCertificates.write(
                to: out, servers: requested, clients: clients, validity: validity)
        } catch {
            FileHandle.standardError.write(Data("aviary-server certs: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(written.createdAuthority ? "made a new CA in \(out)" : "issued from the CA in \(out)")
        for file in written.files { print(file) }
    }

    static func parseServer(_ text: String) throws -> EnsembleCertificates.Server {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = Int64(parts[0]), id >= 0 else {
            throw ValidationError("--server \(text): expected ID=HOST[,HOST...]")
        }
        let hosts = parts[1].split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard !hosts.isEmpty else { throw ValidationError("--server \(text): no host") }
        return .init(id: id, hosts: hosts)
    }

    static func parseDate(_ text: String) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text) else {
            throw ValidationError("--not-before \(text): expected YYYY-MM-DD")
        }
        return date
    }
}
