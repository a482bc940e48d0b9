import AviaryServer
import Testing

/// Keys a ZooKeeper zoo.cfg may carry that Aviary does not act on: accepted, reported, never fatal.
struct ConfigurationWarningTests {
    static let javaOnly = "only meaningful to the Java server; ignored"
    static let notYet = "recognised ZooKeeper setting, not supported by Aviary yet; ignored"
    static let unknown = "unknown key; ignored"

    @Test(arguments: [
        ("serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory", javaOnly),
        ("authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider", javaOnly),
        ("admin.enableServer=false", javaOnly),
        ("admin.serverPort=8080", javaOnly),
        ("jvm.pause.monitor=true", javaOnly),
        ("jvmFlags=-Xmx2g", javaOnly),
        ("metricsProvider.httpPort=7000", javaOnly),
        ("quorum.auth.learnerRequireSasl=false", javaOnly),
        ("audit.enable=true", javaOnly),
        ("quorum.auth.enableSasl=false", javaOnly),
        ("ssl.context.supplier.class=com.example.Supplier", javaOnly),
        ("ssl.ciphersuites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ignored; Aviary uses BoringSSL's TLS 1.2/1.3 AEAD cipher suites"),
        ("ssl.quorum.crl=true", "revocation checking is not supported yet; ignored"),
        ("localSessionsEnabled=true", notYet),
        ("reconfigEnabled=false", notYet),
        ("multiAddress.enabled=true", notYet),
        ("globalOutstandingLimit=1000", notYet),
        ("leaderServes=yes", notYet),
        ("zookeeper.snapshot.trust.empty=true", notYet),
        ("zookeeper.foo.bar=1", unknown),
        ("someUnknownKey=whatever", unknown),
    ])
    func ignoredKeyIsAcceptedWithAWarningOnItsLine(line: String, reason: String) throws {
        let configuration = try parseZooCfg(minimalZooCfg + line + "\n")
        let key = String(line.prefix { $0 != "=" })
        #expect(configuration.warnings == [ConfigurationWarning(path: "zoo.cfg", line: 3, key: key, reason: reason)])
    }

    @Test func peerTypeIsCheckedThenIgnored() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "peerType=observer\n")
        #expect(
            configuration.warnings.map(\.description) == [
                "zoo.cfg:3: peerType: ignored; the role comes from this server's server.N line"
            ])
    }

    @Test func electionAlgThreeIsAcceptedSilently() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "electionAlg=3\n")
        #expect(configuration.warnings.isEmpty)
    }

    @Test func warningsComeInFileOrder() throws {
        let configuration = try parseZooCfg(
            "admin.enableServer=false\n" + minimalZooCfg + "autopurge.snapRetainCount=0\nfoo=bar\n")
        #expect(configuration.warnings.compactMap(\.line) == [1, 4, 5])
    }

    @Test func quorumListenOnAllIPsIsReadNotIgnored() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "quorumListenOnAllIPs=true\n")
        #expect(configuration.quorumListenOnAllIPs)
        #expect(configuration.warnings.isEmpty)
        #expect(try !parseZooCfg(minimalZooCfg).quorumListenOnAllIPs)
    }
}
