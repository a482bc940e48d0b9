import AviaryServer
import Foundation
import Testing

/// Where relative directories in zoo.cfg point: next to the configuration file, whatever the working directory.
struct ConfigurationPathTests {
    @Test(arguments: [
        ("/etc/aviary/zoo.cfg", "data", "/etc/aviary/data"),
        ("/etc/aviary/zoo.cfg", "./data", "/etc/aviary/data"),
        ("/opt/aviary/conf/zoo.cfg", "../data", "/opt/aviary/data"),
        ("/opt/aviary/conf/zoo.cfg", "../../../../data", "/data"),
        ("/opt/aviary/conf/zoo.cfg", "/var/lib/aviary/", "/var/lib/aviary"),
        ("/opt/aviary/conf/zoo.cfg", "/var//lib/./aviary", "/var/lib/aviary"),
        ("conf/zoo.cfg", "../data", "data"),
        ("conf/zoo.cfg", "data", "conf/data"),
        ("zoo.cfg", "data", "data"),
        ("/zoo.cfg", "data", "/data"),
    ])
    func relativeDataDirResolvesAgainstTheConfigurationDirectory(path: String, dataDir: String, expected: String)
        throws
    {
        let configuration = try parseZooCfg("clientPort=2181\ndataDir=\(dataDir)\n", path: path)
        #expect(configuration.dataDir == expected)
        #expect(configuration.dataLogDir == expected)
    }

    @Test func relativeDirectoriesStayRelativeWithoutAFile() throws {
        let configuration = try parseZooCfg("clientPort=2181\ndataDir=./data\ndataLogDir=../log\n", path: nil)
        #expect(configuration.dataDir == "data")
        #expect(configuration.dataLogDir == "../log")
    }

    @Test func loadReadsTheFileAndResolvesNextToIt() throws {
        let root =
            FileManager.default.temporaryDirectory.path + "/aviary-config-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: root + "/conf", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/conf/zoo.cfg"
        try "tickTime=1000\ndataDir=../data\ndataLogDir=txnlog\nclientPort=2181\n"
            .write(toFile: file, atomically: true, encoding: .utf8)

        let configuration = try ServerConfiguration.load(path: file)
        let canonicalRoot = URL(fileURLWithPath: root).standardizedFileURL.path
        #expect(configuration.sourcePath == canonicalRoot + "/conf/zoo.cfg")
        #expect(configuration.dataDir == canonicalRoot + "/data")
        #expect(configuration.dataLogDir == canonicalRoot + "/conf/txnlog")
        #expect(configuration.tickTimeMillis == 1000)
    }

    @Test func loadReadsLatin1FilesAsJavaDoes() throws {
        let root =
            FileManager.default.temporaryDirectory.path + "/aviary-config-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/zoo.cfg"
        // "dataDir=/srv/zoë" in ISO 8859-1: 0xEB is not valid UTF-8 on its own.
        let bytes = Array("clientPort=2181\ndataDir=/srv/zo".utf8) + [0xEB] + Array("\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(try ServerConfiguration.load(path: file).dataDir == "/srv/zoë")
    }
}
