import AviaryServer
import AviaryTLS
import Testing

/// zoo.cfg's TLS keys, as ZooKeeper names them, and the mistakes that must stop start-up.
struct ConfigurationTLSTests {
    static let quorumAndClients = """
        sslQuorum=true
        portUnification=true
        sslQuorumReloadCertFiles=true
        ssl.quorum.keyStore.location=certs/server.1.pem
        ssl.quorum.keyStore.type=PEM
        ssl.quorum.trustStore.location=/etc/aviary/ca.pem
        ssl.quorum.trustStore.type=PEM
        ssl.quorum.hostnameVerification=false
        secureClientPort=2281
        secureClientPortAddress=127.0.0.1
        zookeeper.ssl.keyStore.location=/etc/aviary/server.1.pem
        ssl.keyStore.password=secret
        ssl.trustStore.location=/etc/aviary/ca.pem
        ssl.clientAuth=want
        client.portUnification=true
        zookeeper.X509AuthenticationProvider.superUser=CN=admin,O=Aviary

        """

    @Test func quorumAndClientKeysAreRead() throws {
        let configuration = try parseZooCfg(minimalZooCfg + Self.quorumAndClients, path: "/srv/zk/zoo.cfg")
        #expect(configuration.warnings.isEmpty)
        let tls = configuration.tls
        #expect(tls.sslQuorum && tls.portUnification && tls.clientPortUnification)
        #expect(
            tls.quorum
                == TLSSettings(
                    keyStorePath: "/srv/zk/certs/server.1.pem", trustStorePath: "/etc/aviary/ca.pem",
                    hostnameVerification: false, clientAuth: .need, reloadWhenChanged: true))
        #expect(
            tls.client
                == TLSSettings(
                    keyStorePath: "/etc/aviary/server.1.pem", keyStorePassword: "secret",
                    trustStorePath: "/etc/aviary/ca.pem", clientAuth: .want))
        #expect(configuration.secureClientPort == 2281)
        #expect(tls.secureClientPortAddress == "127.0.0.1")
        #expect(tls.x509SuperUser == "CN=admin,O=Aviary")
    }

    @Test func withoutTLSKeysNothingIsEncrypted() throws {
        let tls = try parseZooCfg(minimalZooCfg).tls
        #expect(tls == ServerTLSOptions())
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var lines: String
        var key: String
        var reason: String
        var testDescription: String { lines }
    }

    static let mistakes: [Case] = [
        Case(
            lines: "sslQuorum=true", key: "sslQuorum",
            reason: "needs ssl.quorum.keyStore.location and ssl.quorum.trustStore.location"),
        Case(
            lines: "secureClientPort=2281", key: "secureClientPort",
            reason: "needs ssl.keyStore.location and ssl.trustStore.location"),
        Case(
            lines: "ssl.quorum.trustStore.location=/ca.pem", key: "ssl.quorum.trustStore.location",
            reason: "set, but ssl.quorum.keyStore.location is not"),
        Case(
            lines: "ssl.keyStore.location=/k.pem", key: "ssl.keyStore.location",
            reason: "set, but ssl.trustStore.location is not (Aviary has no default trust store)"),
        Case(
            lines: "ssl.quorum.keyStore.type=JKS", key: "ssl.quorum.keyStore.type",
            reason: "'JKS' stores are not supported; Aviary reads PEM (convert with keytool -importkeystore and openssl pkcs12)"),
        Case(lines: "ssl.clientAuth=maybe", key: "ssl.clientAuth", reason: "not 'none', 'want' or 'need': 'maybe'"),
        Case(lines: "portUnification=yes", key: "portUnification", reason: "not 'true' or 'false': 'yes'"),
    ]

    @Test(arguments: mistakes)
    func aMistakeStopsStartUpNamingTheKey(_ mistake: Case) {
        #expect {
            try parseZooCfg(minimalZooCfg + mistake.lines + "\n")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == mistake.key && error.reason == mistake.reason && error.line == 3
        }
    }
}
