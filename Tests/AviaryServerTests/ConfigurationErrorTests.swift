import AviaryServer
import Testing

/// Every way a zoo.cfg can be rejected, and that the error names the file, line and key to fix.
struct ConfigurationErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var lines: String
        var line: Int?
        var key: String?
        var reason: String
        var testDescription: String { lines }
    }

    /// Each case is appended to two valid lines, so the offending entry starts on line 3.
    static let badValues: [Case] = [
        Case(lines: "tickTime=abc", line: 3, key: "tickTime", reason: "not a positive integer: 'abc'"),
        Case(lines: "tickTime=0", line: 3, key: "tickTime", reason: "not a positive integer: '0'"),
        Case(lines: "tickTime=-2000", line: 3, key: "tickTime", reason: "not a positive integer: '-2000'"),
        Case(lines: "tickTime=2000ms", line: 3, key: "tickTime", reason: "not a positive integer: '2000ms'"),
        Case(
            lines: "tickTime=99999999999", line: 3, key: "tickTime",
            reason: "out of range (at most 2147483647): '99999999999'"),
        Case(lines: "initLimit=ten", line: 3, key: "initLimit", reason: "not a positive integer: 'ten'"),
        Case(lines: "syncLimit=0", line: 3, key: "syncLimit", reason: "not a positive integer: '0'"),
        Case(lines: "clientPort=70000", line: 3, key: "clientPort", reason: "not a port number (0-65535): '70000'"),
        Case(lines: "secureClientPort=x", line: 3, key: "secureClientPort", reason: "not a port number (0-65535): 'x'"),
        Case(lines: "maxClientCnxns=-1", line: 3, key: "maxClientCnxns", reason: "not a non-negative integer: '-1'"),
        Case(
            lines: "minSessionTimeout=-5", line: 3, key: "minSessionTimeout",
            reason: "not a non-negative integer: '-5'"),
        Case(lines: "jute.maxbuffer=1MB", line: 3, key: "jute.maxbuffer", reason: "not a positive integer: '1MB'"),
        Case(lines: "preAllocSize=0", line: 3, key: "preAllocSize", reason: "not a positive integer: '0'"),
        Case(lines: "snapCount=lots", line: 3, key: "snapCount", reason: "not an integer: 'lots'"),
        Case(lines: "zookeeper.snapCount=lots", line: 3, key: "zookeeper.snapCount", reason: "not an integer: 'lots'"),
        Case(
            lines: "znode.container.maxPerMinute=0", line: 3, key: "znode.container.maxPerMinute",
            reason: "not a positive integer: '0'"),
        Case(
            lines: "autopurge.purgeInterval=daily", line: 3, key: "autopurge.purgeInterval",
            reason: "not an integer: 'daily'"),
        Case(lines: "forceSync=maybe", line: 3, key: "forceSync", reason: "not 'yes' or 'no': 'maybe'"),
        Case(lines: "standaloneEnabled=yes", line: 3, key: "standaloneEnabled", reason: "not 'true' or 'false': 'yes'"),
        Case(
            lines: "extendedTypesEnabled=1", line: 3, key: "extendedTypesEnabled",
            reason: "not 'true' or 'false': '1'"),
        Case(
            lines: "readonlymode.enabled=on", line: 3, key: "readonlymode.enabled",
            reason: "not 'true' or 'false': 'on'"),
        Case(
            lines: "snapshot.compression.method=lz4", line: 3, key: "snapshot.compression.method",
            reason: "unknown compression method 'lz4' (expected '', 'gz' or 'snappy')"),
        Case(
            lines: "electionAlg=1", line: 3, key: "electionAlg",
            reason: "only 3 (fast leader election) is supported: '1'"),
        Case(
            lines: "peerType=leader", line: 3, key: "peerType",
            reason: "unknown peer type 'leader' (expected 'participant' or 'observer')"),
        Case(
            lines: "DigestAuthenticationProvider.superDigest=nocolon", line: 3,
            key: "DigestAuthenticationProvider.superDigest", reason: "not of the form user:base64digest: 'nocolon'"),
        Case(lines: "dataLogDir=", line: 3, key: "dataLogDir", reason: "must not be empty"),
        Case(
            lines: "localSessionsEnabled=maybe", line: 3, key: "localSessionsEnabled",
            reason: "not 'true' or 'false': 'maybe'"),
        Case(lines: "sslQuorum=1", line: 3, key: "sslQuorum", reason: "not 'true' or 'false': '1'"),
        Case(
            lines: "dynamicConfigFile=/etc/zookeeper/zoo.cfg.dynamic", line: 3, key: "dynamicConfigFile",
            reason: "dynamic configuration files are not supported yet; list the server.N lines in this file"),
        Case(
            lines: "group.1=1:2:3", line: 3, key: "group.1",
            reason: "hierarchical quorums (group.N, weight.N) are not supported yet"),
        Case(
            lines: "weight.1=1", line: 3, key: "weight.1",
            reason: "hierarchical quorums (group.N, weight.N) are not supported yet"),
    ]

    @Test(arguments: badValues)
    func badValueIsRejectedNamingItsLineAndKey(_ bad: Case) {
        let error = zooCfgError(minimalZooCfg + bad.lines + "\n")
        #expect(error == ConfigurationError(path: "zoo.cfg", line: bad.line, key: bad.key, reason: bad.reason))
    }

    static let badServers: [Case] = [
        Case(
            lines: "server.1=zk1:2888", line: 3, key: "server.1",
            reason: "'zk1:2888' is not host:quorumPort:electionPort[:participant|observer] (several joined by '|'), "
                + "optionally followed by ';[clientHost:]clientPort'"),
        Case(
            lines: "server.1=zk1:2888:3888:participant:extra", line: 3, key: "server.1",
            reason: "'zk1:2888:3888:participant:extra' is not host:quorumPort:electionPort[:participant|observer] "
                + "(several joined by '|'), optionally followed by ';[clientHost:]clientPort'"),
        Case(
            lines: "server.1=zk1:2888:3888;2181;2182", line: 3, key: "server.1",
            reason: "'zk1:2888:3888;2181;2182' is not host:quorumPort:electionPort[:participant|observer] "
                + "(several joined by '|'), optionally followed by ';[clientHost:]clientPort'"),
        Case(
            lines: "server.x=zk1:2888:3888", line: 3, key: "server.x",
            reason: "server id is not a non-negative integer: 'x'"),
        Case(
            lines: "server.-1=zk1:2888:3888", line: 3, key: "server.-1",
            reason: "server id is not a non-negative integer: '-1'"),
        Case(
            lines: "server.1=zk1:2888:2888", line: 3, key: "server.1",
            reason: "quorum port and election port must differ: 2888"),
        Case(
            lines: "server.1=zk1:two:3888", line: 3, key: "server.1",
            reason: "quorum port is not a port number (1-65535): 'two'"),
        Case(
            lines: "server.1=zk1:2888:65536", line: 3, key: "server.1",
            reason: "election port is not a port number (1-65535): '65536'"),
        Case(lines: "server.1=:2888:3888", line: 3, key: "server.1", reason: "missing host"),
        Case(
            lines: "server.1=zk1:2888:3888:voter", line: 3, key: "server.1",
            reason: "unknown role 'voter' (expected 'participant' or 'observer')"),
        Case(
            lines: "server.1=zk1:2888:3888:observer|zk1b:2888:3888:participant", line: 3, key: "server.1",
            reason: "all addresses of one server must have the same role: observer vs participant"),
        Case(
            lines: "server.1=zk1:2888:3888;zk1:port", line: 3, key: "server.1",
            reason: "client port is not a port number (1-65535): 'port'"),
        Case(
            lines: "server.1=[::1:2888:3888", line: 3, key: "server.1",
            reason: "'[::1:2888:3888' starts with '[' but has no matching ']'"),
        Case(
            lines: "server.1=zk1:2888:3888\nserver.1=zk2:2888:3888", line: 4, key: "server.1",
            reason: "duplicate server id 1 (first listed on line 3)"),
        Case(
            lines: "server.1=zk1:2888:3888\nserver.01=zk2:2888:3888", line: 4, key: "server.01",
            reason: "duplicate server id 1 (first listed on line 3)"),
        Case(
            lines: "server.1=zk1:2888:3888\nserver.2=zk1:3888:3889\nserver.3=zk3:2888:3888", line: 4,
            key: "server.2", reason: "zk1:3888 is used twice: election port of server.1 and quorum port of server.2"),
    ]

    @Test(arguments: badServers)
    func malformedServerLineIsRejectedNamingItsLine(_ bad: Case) {
        let error = zooCfgError(minimalZooCfg + bad.lines + "\n")
        #expect(error == ConfigurationError(path: "zoo.cfg", line: bad.line, key: bad.key, reason: bad.reason))
    }

    static let wholeFileProblems: [Case] = [
        Case(lines: "tickTime=2000\nclientPort=2181", line: nil, key: "dataDir", reason: "required but not set"),
        Case(
            lines: "dataDir=/srv/zk", line: nil, key: "clientPort",
            reason: "not set; a standalone server needs clientPort or secureClientPort"),
        Case(
            lines: "dataDir=/srv/zk\nclientPortAddress=127.0.0.1", line: 2, key: "clientPortAddress",
            reason: "set, but clientPort is not"),
        Case(
            lines: "dataDir=/srv/zk\nsecureClientPortAddress=127.0.0.1\nclientPort=2181", line: 2,
            key: "secureClientPortAddress", reason: "set, but secureClientPort is not"),
        Case(
            lines: minimalZooCfg + "minSessionTimeout=50000", line: 3, key: "minSessionTimeout",
            reason: "minSessionTimeout (50000 ms) is larger than maxSessionTimeout (40000 ms)"),
        Case(
            lines: minimalZooCfg + "maxSessionTimeout=1000\ntickTime=1000", line: 3, key: "maxSessionTimeout",
            reason: "minSessionTimeout (2000 ms) is larger than maxSessionTimeout (1000 ms)"),
        Case(
            lines: minimalZooCfg + "minSessionTimeout=10000\nmaxSessionTimeout=5000", line: 4,
            key: "maxSessionTimeout", reason: "minSessionTimeout (10000 ms) is larger than maxSessionTimeout (5000 ms)"),
        Case(
            lines: minimalZooCfg + "standaloneEnabled=false", line: 3, key: "standaloneEnabled",
            reason: "false, but no participant is listed in server.N lines"),
        Case(
            lines: minimalZooCfg + "server.4=zk4:2888:3888:observer", line: 3, key: nil,
            reason: "observers are listed but no participant"),
        Case(
            lines: minimalZooCfg + "server.1=zk1:2888:3888\nserver.4=zk4:2888:3888:observer", line: 4,
            key: nil, reason: "observers need an ensemble, but only one participant is listed"),
    ]

    @Test(arguments: wholeFileProblems)
    func fileLevelProblemIsRejected(_ bad: Case) {
        let error = zooCfgError(bad.lines + "\n")
        #expect(error == ConfigurationError(path: "zoo.cfg", line: bad.line, key: bad.key, reason: bad.reason))
    }

    @Test func descriptionReadsLikeACompilerDiagnostic() {
        let lines = (1...6).map { "# comment \($0)" }.joined(separator: "\n")
        let error = zooCfgError(lines + "\ntickTime=abc\n" + minimalZooCfg)
        #expect(error?.description == "zoo.cfg:7: tickTime: not a positive integer: 'abc'")
    }

    @Test func descriptionWithoutLineOrPath() {
        #expect(zooCfgError("clientPort=2181\n")?.description == "zoo.cfg: dataDir: required but not set")
        #expect(
            zooCfgError("clientPort=2181\n", path: nil)?.description
                == "<configuration>: dataDir: required but not set")
    }

    @Test(arguments: [
        ("/nonexistent-aviary-dir/zoo.cfg", "cannot read file: no such file"),
        ("/", "cannot read file: is a directory"),
    ])
    func unreadableFileIsAnErrorWithoutALine(path: String, reason: String) {
        #expect(throws: ConfigurationError(path: path, line: nil, key: nil, reason: reason)) {
            try ServerConfiguration.load(path: path)
        }
    }
}
