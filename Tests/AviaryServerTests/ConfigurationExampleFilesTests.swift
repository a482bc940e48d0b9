import AviaryServer
import Foundation
import Testing

/// Whole files as they are found in the field.
struct ConfigurationExampleFilesTests {
    /// The shape of the file Debian and Ubuntu install as /etc/zookeeper/conf/zoo.cfg: the basics set, the rest
    /// commented out.
    static let debianStyle = """
        # See the ZooKeeper administrator's guide for every setting.

        # Length of one tick, in milliseconds
        tickTime=2000
        # Ticks a follower may take to connect and sync to the leader
        initLimit=10
        # Ticks a follower may lag behind the leader
        syncLimit=5
        # Where snapshots (and, by default, the transaction log) live
        dataDir=/var/lib/zookeeper
        # A separate disk for the transaction log lowers write latency
        # dataLogDir=/disk2/zookeeper

        # The port clients connect to
        clientPort=2181

        # The ensemble; the first address of each line is the server itself on that machine
        #server.1=zookeeper1:2888:3888
        #server.2=zookeeper2:2888:3888
        #server.3=zookeeper3:2888:3888

        # Log files grow in blocks of this many kilobytes
        #preAllocSize=65536
        # Transactions between snapshots
        #snapCount=1000

        # Write a trace of every request to this file
        #traceFile=

        # Whether the leader also serves clients
        #leaderServes=yes
        """

    @Test func debianStyleFileRunsStandaloneWithoutWarnings() throws {
        let configuration = try parseZooCfg(Self.debianStyle, path: "/etc/zookeeper/conf/zoo.cfg")
        var expected = ServerConfiguration(dataDir: "/var/lib/zookeeper")
        expected.sourcePath = "/etc/zookeeper/conf/zoo.cfg"
        expected.clientPort = 2181
        #expect(configuration == expected)
        #expect(!configuration.isEnsemble)
    }

    static let threeServers = """
        tickTime=2000
        initLimit=10
        syncLimit=5
        dataDir=/var/lib/zookeeper/data
        dataLogDir=/var/lib/zookeeper/log
        clientPort=2181
        maxClientCnxns=0
        autopurge.snapRetainCount=3
        autopurge.purgeInterval=24
        4lw.commands.whitelist=srvr, ruok, mntr
        admin.enableServer=false
        metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
        server.1=zk1.example.com:2888:3888
        server.2=zk2.example.com:2888:3888
        server.3=zk3.example.com:2888:3888
        """

    @Test func threeServerEnsemble() throws {
        let configuration = try parseZooCfg(Self.threeServers, path: "/etc/zookeeper/conf/zoo.cfg")
        #expect(configuration.isEnsemble)
        #expect(configuration.servers.map(\.id) == [1, 2, 3])
        #expect(configuration.participants.count == 3)
        #expect(configuration.observers.isEmpty)
        #expect(configuration.servers.map(\.host) == ["zk1.example.com", "zk2.example.com", "zk3.example.com"])
        #expect(configuration.servers.allSatisfy { $0.quorumPort == 2888 && $0.electionPort == 3888 })
        #expect(configuration.servers.allSatisfy { $0.clientPort == nil && $0.role == .participant })
        #expect(configuration.server(id: 2)?.host == "zk2.example.com")
        #expect(configuration.dataLogDir == "/var/lib/zookeeper/log")
        #expect(configuration.autopurgePurgeIntervalHours == 24)
        #expect(configuration.fourLetterWordWhitelist == ["srvr", "ruok", "mntr"])
        #expect(
            configuration.warnings.map(\.description) == [
                "/etc/zookeeper/conf/zoo.cfg:11: admin.enableServer: only meaningful to the Java server; ignored",
                "/etc/zookeeper/conf/zoo.cfg:12: metricsProvider.className: only meaningful to the Java server; ignored",
            ])
    }

    /// ZooKeeper 3.5+ lines: roles, per-server client ports, IPv6, several addresses per server; listed out of order.
    @Test func dynamicStyleServerLines() throws {
        let configuration = try parseZooCfg(
            """
            dataDir=/data
            server.3=[fd00::3]:2888:3888:participant;[fd00::3]:2181
            server.1=10.0.0.1:2888:3888;2181
            server.2=10.0.0.2:2888:3888|10.1.0.2:2888:3888;10.0.0.2:2181
            server.4=10.0.0.4:2888:3888:OBSERVER;2181
            """)
        #expect(configuration.servers.map(\.id) == [1, 2, 3, 4])
        let one = try #require(configuration.server(id: 1))
        #expect(one.clientAddress == nil)
        #expect(one.clientPort == 2181)
        #expect(one.specification == "10.0.0.1:2888:3888:participant;0.0.0.0:2181")
        let two = try #require(configuration.server(id: 2))
        #expect(
            two.addresses == [
                QuorumServer.Address(host: "10.0.0.2", quorumPort: 2888, electionPort: 3888),
                QuorumServer.Address(host: "10.1.0.2", quorumPort: 2888, electionPort: 3888),
            ])
        #expect(two.clientAddress == "10.0.0.2")
        let three = try #require(configuration.server(id: 3))
        #expect(three.host == "fd00::3")
        #expect(three.specification == "[fd00::3]:2888:3888:participant;[fd00::3]:2181")
        #expect(configuration.server(id: 4)?.role == .observer)
        #expect(configuration.participants.map(\.id) == [1, 2, 3])
        #expect(configuration.isEnsemble)
        #expect(configuration.warnings.isEmpty)
    }

    @Test func oneListedServerRunsStandaloneWithAWarning() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "server.1=localhost:2888:3888\n")
        #expect(!configuration.isEnsemble)
        #expect(
            configuration.warnings.map(\.description) == ["zoo.cfg:3: only one server is listed; running standalone"])
    }

    @Test func oneListedServerWithStandaloneDisabledIsAnEnsemble() throws {
        let configuration = try parseZooCfg(
            minimalZooCfg + "standaloneEnabled=false\nserver.1=localhost:2888:3888\n")
        #expect(configuration.isEnsemble)
    }

    @Test(arguments: [
        (2, "2 participant(s): no server failure will be tolerated; list at least 3"),
        (4, "4 participants tolerate no more failures than 3; an odd number is recommended"),
    ])
    func awkwardEnsembleSizesWarn(count: Int, warning: String) throws {
        let lines = (1...count).map { "server.\($0)=127.0.0.1:\(2000 + $0):\(3000 + $0)" }.joined(separator: "\n")
        let configuration = try parseZooCfg(minimalZooCfg + lines)
        #expect(configuration.warnings.map(\.reason) == [warning])
    }

    @Test func sharedLoopbackHostWithDistinctPortsIsFine() throws {
        let lines = (1...3).map { "server.\($0)=127.0.0.1:\(2887 + $0):\(3887 + $0);\(2180 + $0)" }
        let configuration = try parseZooCfg("dataDir=/d\n" + lines.joined(separator: "\n"))
        #expect(configuration.servers.compactMap(\.clientPort) == [2181, 2182, 2183])
        #expect(configuration.warnings.isEmpty)
    }

    /// The repository's own conf/zoo.cfg, which bin/aviary-server starts by default.
    @Test func shippedDevelopmentConfigurationParsesCleanly() throws {
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try ServerConfiguration.load(path: repositoryRoot.path + "/conf/zoo.cfg")
        #expect(configuration.warnings.isEmpty)
        #expect(configuration.dataDir == repositoryRoot.standardizedFileURL.path + "/data")
        #expect(configuration.clientPort == 2181)
        #expect(configuration.clientPortAddress == "127.0.0.1")
        #expect(configuration.fourLetterWordWhitelist.contains("mntr"))
        #expect(!configuration.isEnsemble)
    }

    @Test func quorumServerParsesOnItsOwn() throws {
        let server = try QuorumServer(id: 7, specification: " zk7:2888:3888:observer ; 127.0.0.1:2181 ")
        #expect(
            server
                == QuorumServer(
                    id: 7, addresses: [.init(host: "zk7", quorumPort: 2888, electionPort: 3888)], role: .observer,
                    clientAddress: "127.0.0.1", clientPort: 2181))
        #expect(throws: ConfigurationError(path: nil, line: nil, key: "server.7", reason: "missing host")) {
            try QuorumServer(id: 7, specification: ":1:2")
        }
    }
}
