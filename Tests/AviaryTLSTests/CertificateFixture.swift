import AviaryTLS
import Foundation

/// A directory of certificates made by `EnsembleCertificates`, removed when the fixture goes.
final class CertificateFixture {
    let directory: String

    init(servers: [Int64] = [1], clients: [String] = [], validity: DateInterval? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aviary-tls-\(UUID().uuidString)").path
        try issue(servers: servers, clients: clients, validity: validity)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func issue(servers: [Int64] = [], clients: [String] = [], validity: DateInterval? = nil) throws {
        let validity = validity ?? DateInterval(start: Date().addingTimeInterval(-3600), duration: 86_400)
        _ = try EnsembleCertificates.write(
            to: directory, servers: servers.map { .init(id: $0, hosts: ["127.0.0.1"]) }, clients: clients,
            validity: validity)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func settings(
        keyStore: String, trustStore: String = "ca.pem", clientAuth: TLSSettings.ClientAuth = .need,
        reload: Bool = false
    ) -> TLSSettings {
        TLSSettings(
            keyStorePath: path(keyStore), trustStorePath: path(trustStore), clientAuth: clientAuth,
            reloadWhenChanged: reload)
    }
}
