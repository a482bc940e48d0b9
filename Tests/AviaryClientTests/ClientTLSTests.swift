import AviaryClient
import Foundation
import Testing

/// The client over TLS to a server's secureClientPort, with certificates from `aviary-server certs`: the
/// certificate's subject is the session's x509 identity, ACLs can name it, and a server whose certificate the
/// client does not trust is never talked to.
@Suite(.timeLimit(.minutes(2)))
struct ClientTLSTests {
    /// A server with a TLS client port and the certificate directory it was given.
    struct SecureServer {
        let process: AviaryServerProcess
        let certificates: URL
        let securePort: Int

        func file(_ name: String) -> String { certificates.appendingPathComponent(name).path }

        func configuration(trusting ca: String? = nil, as client: String?) throws -> ZooKeeperClient.Configuration {
            var configuration = ZooKeeperClient.Configuration()
            try configuration.useTLS(
                ClientTLS(trustStorePath: ca ?? file("ca.pem"), certificatePath: client.map { file("client.\($0).pem") }))
            configuration.connectTimeout = .seconds(3)
            return configuration
        }
    }

    static func makeCertificates(in directory: URL, clients: [String]) throws {
        let certs = Process()
        certs.executableURL = try AviaryServerProcess.locateBinary()
        certs.arguments = ["certs", "--out", directory.path, "--server", "1=127.0.0.1"] + clients.flatMap { ["--client", $0] }
        certs.standardOutput = FileHandle.nullDevice
        try certs.run()
        certs.waitUntilExit()
        guard certs.terminationStatus == 0 else { throw TestFailure("aviary-server certs failed") }
    }

    static func withSecureServer(_ body: (SecureServer) async throws -> Void) async throws {
        let certificates = FileManager.default.temporaryDirectory.appendingPathComponent("aviary-client-tls-\(UUID())")
        defer { try? FileManager.default.removeItem(at: certificates) }
        try makeCertificates(in: certificates, clients: ["alice", "bob"])
        let securePort = try await AviaryServerProcess.freePort()
        let process = try await AviaryServerProcess.start(extraConfig: [
            "secureClientPort": "\(securePort)", "secureClientPortAddress": "127.0.0.1",
            "ssl.keyStore.location": certificates.appendingPathComponent("server.1.pem").path,
            "ssl.trustStore.location": certificates.appendingPathComponent("ca.pem").path,
        ])
        do {
            try await body(SecureServer(process: process, certificates: certificates, securePort: securePort))
        } catch {
            await process.stop()
            throw error
        }
        await process.stop()
    }

    @Test func aCertificateIsTheSessionsX509IdentityAndOpensItsACLs() async throws {
        try await Self.withSecureServer { server in
            let target = "127.0.0.1:\(server.securePort)"
            let alice = try await ZooKeeperClient.connect(to: target, configuration: try server.configuration(as: "alice"))
            let bob = try await ZooKeeperClient.connect(to: target, configuration: try server.configuration(as: "bob"))
            #expect(try await alice.whoAmI().contains(ClientInfo(authScheme: "x509", user: "CN=alice,O=Aviary")))
            let path = uniquePath("alice-only")
            try await alice.create(path, data: [7], acl: [ACL(.all, Id(scheme: "x509", id: "CN=alice,O=Aviary"))])
            #expect(try await alice.getData(path).data == [7])
            await expectError(.noAuth) { try await bob.getData(path) }
            await alice.close()
            await bob.close()
        }
    }

    @Test func aServerTheClientDoesNotTrustIsNotTalkedTo() async throws {
        try await Self.withSecureServer { server in
            let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("aviary-other-ca-\(UUID())")
            defer { try? FileManager.default.removeItem(at: elsewhere) }
            try Self.makeCertificates(in: elsewhere, clients: [])
            let configuration = try server.configuration(
                trusting: elsewhere.appendingPathComponent("ca.pem").path, as: "alice")
            await expectError(.connectionLoss) {
                try await ZooKeeperClient.connect(to: "127.0.0.1:\(server.securePort)", configuration: configuration)
            }
        }
    }
}
