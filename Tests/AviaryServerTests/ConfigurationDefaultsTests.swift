import AviaryServer
import Testing

struct ConfigurationDefaultsTests {
    @Test func minimalFileGetsZooKeeperDefaults() throws {
        let configuration = try parseZooCfg(minimalZooCfg)
        #expect(configuration.sourcePath == "zoo.cfg")
        #expect(configuration.tickTimeMillis == 2000)
        #expect(configuration.initLimitTicks == 10)
        #expect(configuration.syncLimitTicks == 5)
        #expect(configuration.dataDir == "/var/lib/aviary")
        #expect(configuration.dataLogDir == "/var/lib/aviary")
        #expect(configuration.clientPort == 2181)
        #expect(configuration.clientPortAddress == nil)
        #expect(configuration.secureClientPort == nil)
        #expect(configuration.maxClientConnectionsPerHost == 60)
        #expect(configuration.minSessionTimeoutMillis == 4000)
        #expect(configuration.maxSessionTimeoutMillis == 40000)
        #expect(configuration.fourLetterWordWhitelist == ["srvr"])
        #expect(configuration.juteMaxBufferBytes == 0xfffff)
        #expect(configuration.extendedTypesEnabled == false)
        #expect(configuration.superDigest == nil)
        #expect(configuration.containerCheckIntervalMillis == 60000)
        #expect(configuration.containerMaxPerMinute == 10000)
        #expect(configuration.snapCount == 100_000)
        #expect(configuration.preAllocSizeKB == 65536)
        #expect(configuration.forceSync == true)
        #expect(configuration.snapshotCompression == .gzip)
        #expect(configuration.autopurgeSnapRetainCount == 3)
        #expect(configuration.autopurgePurgeIntervalHours == 0)
        #expect(configuration.servers.isEmpty)
        #expect(configuration.standaloneEnabled == true)
        #expect(configuration.readOnlyModeEnabled == false)
        #expect(configuration.isEnsemble == false)
        #expect(configuration.warnings.isEmpty)
    }

    @Test func parsedDefaultsMatchTheProgrammaticInitializer() throws {
        var expected = ServerConfiguration(dataDir: "/var/lib/aviary")
        expected.sourcePath = "zoo.cfg"
        expected.clientPort = 2181
        #expect(try parseZooCfg(minimalZooCfg) == expected)
    }

    @Test(arguments: [(500, 1000, 10000), (2000, 4000, 40000), (3000, 6000, 60000)])
    func sessionTimeoutBoundsFollowTickTime(tick: Int, minimum: Int, maximum: Int) throws {
        let configuration = try parseZooCfg(minimalZooCfg + "tickTime=\(tick)\n")
        #expect(configuration.minSessionTimeoutMillis == minimum)
        #expect(configuration.maxSessionTimeoutMillis == maximum)
    }

    @Test func sessionTimeoutsFollowATickTimeSetLaterInTheFile() throws {
        let configuration = try parseZooCfg(
            "maxSessionTimeout=30000\n" + minimalZooCfg + "tickTime=1000\n")
        #expect(configuration.minSessionTimeoutMillis == 2000)
        #expect(configuration.maxSessionTimeoutMillis == 30000)
    }

    @Test func sessionTimeoutOfMinusOneMeansTheDefault() throws {
        let configuration = try parseZooCfg(
            minimalZooCfg + "minSessionTimeout=-1\nmaxSessionTimeout=-1\n")
        #expect(configuration.minSessionTimeoutMillis == 4000)
        #expect(configuration.maxSessionTimeoutMillis == 40000)
    }

    @Test func explicitValuesOverrideDefaults() throws {
        let configuration = try parseZooCfg(
            """
            dataDir=/srv/zk/data
            dataLogDir=/srv/zk/log
            clientPort=2281
            clientPortAddress=127.0.0.1
            secureClientPort=2282
            ssl.keyStore.location=/srv/zk/server.pem
            ssl.trustStore.location=/srv/zk/ca.pem
            maxClientCnxns=0
            jute.maxbuffer=4194304
            zookeeper.extendedTypesEnabled=true
            zookeeper.DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
            znode.container.checkIntervalMs=1000
            znode.container.maxPerMinute=60
            snapCount=50000
            preAllocSize=16384
            forceSync=no
            snapshot.compression.method=
            autopurge.snapRetainCount=5
            autopurge.purgeInterval=24
            readonlymode.enabled=TRUE
            """)
        #expect(configuration.dataDir == "/srv/zk/data")
        #expect(configuration.dataLogDir == "/srv/zk/log")
        #expect(configuration.clientPort == 2281)
        #expect(configuration.clientPortAddress == "127.0.0.1")
        #expect(configuration.secureClientPort == 2282)
        #expect(configuration.maxClientConnectionsPerHost == 0)
        #expect(configuration.juteMaxBufferBytes == 4_194_304)
        #expect(configuration.extendedTypesEnabled)
        #expect(configuration.superDigest == "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")
        #expect(configuration.containerCheckIntervalMillis == 1000)
        #expect(configuration.containerMaxPerMinute == 60)
        #expect(configuration.snapCount == 50000)
        #expect(configuration.preAllocSizeKB == 16384)
        #expect(configuration.forceSync == false)
        #expect(configuration.snapshotCompression == SnapshotCompression.none)
        #expect(configuration.autopurgeSnapRetainCount == 5)
        #expect(configuration.autopurgePurgeIntervalHours == 24)
        #expect(configuration.readOnlyModeEnabled)
        #expect(configuration.warnings.isEmpty)
    }

    @Test(arguments: [("gz", SnapshotCompression.gzip), ("GZ", .gzip), ("snappy", .snappy), ("", .none)])
    func snapshotCompressionMethods(value: String, expected: SnapshotCompression) throws {
        let configuration = try parseZooCfg(minimalZooCfg + "snapshot.compression.method=\(value)\n")
        #expect(configuration.snapshotCompression == expected)
    }

    @Test func valuesZooKeeperRaisesAreRaisedWithAWarning() throws {
        let configuration = try parseZooCfg(
            minimalZooCfg + "autopurge.snapRetainCount=1\nsnapCount=1\nautopurge.purgeInterval=-1\n")
        #expect(configuration.autopurgeSnapRetainCount == 3)
        #expect(configuration.snapCount == 2)
        #expect(configuration.autopurgePurgeIntervalHours == 0)
        #expect(
            configuration.warnings.map(\.description) == [
                "zoo.cfg:3: autopurge.snapRetainCount: 1 is below the minimum; using 3",
                "zoo.cfg:4: snapCount: 1 is below the minimum; using 2",
                "zoo.cfg:5: autopurge.purgeInterval: negative; automatic purging is off",
            ])
    }

    @Test func clientPortZeroMeansUnset() throws {
        let configuration = try parseZooCfg(
            "dataDir=/d\nclientPort=0\nsecureClientPort=2281\nssl.keyStore.location=/k.pem\nssl.trustStore.location=/ca.pem\n")
        #expect(configuration.clientPort == nil)
        #expect(configuration.secureClientPort == 2281)
    }

    @Test func bracketedIPv6ClientAddressLosesItsBrackets() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "clientPortAddress=[::1]\n")
        #expect(configuration.clientPortAddress == "::1")
    }
}
