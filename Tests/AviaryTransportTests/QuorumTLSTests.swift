import AviaryTLS
import AviaryTransport
import AviaryWire
import Foundation
import NIOCore
import Testing

/// Election connections with `sslQuorum`: members holding certificates of the ensemble's CA talk; a member whose
/// certificate comes from elsewhere is shut out; `portUnification` lets a plain-text member in during a rolling
/// change to TLS.
struct QuorumTLSTests {
    final class Certificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aviary-quorum-\(UUID())").path

        init(servers: [Int64]) throws {
            _ = try EnsembleCertificates.write(
                to: directory, servers: servers.map { .init(id: $0, hosts: ["127.0.0.1"]) }, clients: [],
                validity: DateInterval(start: Date().addingTimeInterval(-3600), duration: 86_400))
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func source(for id: Int64) throws -> TLSContextSource {
            try TLSContextSource(
                settings: TLSSettings(keyStorePath: "\(directory)/server.\(id).pem", trustStorePath: "\(directory)/ca.pem"),
                name: "quorum", logger: TestSupport.logger("tls"))
        }
    }

    static func start(
        _ id: Int64, security: QuorumSecurity, _ cleanup: Cleanup
    ) async throws -> ElectionConnectionManagerTests.Node {
        let inbox = Inbox<ReceivedNotification>()
        let manager = ElectionConnectionManager(
            configuration: ElectionConfiguration(
                serverId: id, bindHost: TestSupport.host, bindPort: 0, peers: [:], connectTimeout: .seconds(2),
                handshakeTimeout: .seconds(60), security: security),
            group: TestSupport.group, logger: TestSupport.logger("election.\(id)"), deliver: { inbox.append($0) })
        cleanup.add { await manager.shutdown() }
        let address = try await manager.start()
        return .init(id: id, manager: manager, inbox: inbox, port: address.port!)
    }

    static func introduce(_ nodes: [ElectionConnectionManagerTests.Node]) {
        for node in nodes {
            var peers: [Int64: ElectionAddress] = [:]
            for other in nodes where other.id != node.id { peers[other.id] = ElectionAddress(host: TestSupport.host, port: other.port) }
            node.manager.updatePeers(peers)
        }
    }

    static func tls(_ source: TLSContextSource, unified: Bool = false) -> QuorumSecurity {
        QuorumSecurity(tls: source, sslQuorum: true, portUnification: unified)
    }

    @Test func membersOfOneAuthorityExchangeNotificationsOverTLS() async throws {
        let certificates = try Certificates(servers: [1, 2])
        try await withCleanup { cleanup in
            let one = try await Self.start(1, security: Self.tls(try certificates.source(for: 1)), cleanup)
            let two = try await Self.start(2, security: Self.tls(try certificates.source(for: 2)), cleanup)
            Self.introduce([one, two])
            try await one.deliver(ElectionConnectionManagerTests.notification(from: 1), to: two)
            try await two.deliver(ElectionConnectionManagerTests.notification(from: 2), to: one)
        }
    }

    @Test func aMemberWithAForeignCertificateIsShutOut() async throws {
        let ours = try Certificates(servers: [1])
        let theirs = try Certificates(servers: [2])
        try await withCleanup { cleanup in
            let one = try await Self.start(1, security: Self.tls(try ours.source(for: 1)), cleanup)
            let two = try await Self.start(2, security: Self.tls(try theirs.source(for: 2)), cleanup)
            Self.introduce([one, two])
            for epoch in Int64(1)...3 {
                one.manager.send(ElectionConnectionManagerTests.notification(from: 1, epoch: epoch), to: 2)
                two.manager.send(ElectionConnectionManagerTests.notification(from: 2, epoch: epoch), to: 1)
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(one.inbox.all.isEmpty)
            #expect(two.inbox.all.isEmpty)
            #expect(await one.manager.connections().isEmpty)
        }
    }

    @Test func aPlainTextMemberIsRefusedByTLSOnlyButAcceptedWithPortUnification() async throws {
        let certificates = try Certificates(servers: [1, 2, 3])
        try await withCleanup { cleanup in
            // 3 dials 1 and 2 (higher id); 3 has not moved to TLS yet.
            let strict = try await Self.start(1, security: Self.tls(try certificates.source(for: 1)), cleanup)
            let unified = try await Self.start(2, security: Self.tls(try certificates.source(for: 2), unified: true), cleanup)
            let plain = try await Self.start(3, security: .plainText, cleanup)
            Self.introduce([strict, unified, plain])
            try await plain.deliver(ElectionConnectionManagerTests.notification(from: 3), to: unified)
            plain.manager.send(ElectionConnectionManagerTests.notification(from: 3), to: 1)
            try await Task.sleep(for: .milliseconds(500))
            #expect(strict.inbox.all.isEmpty)
        }
    }
}
