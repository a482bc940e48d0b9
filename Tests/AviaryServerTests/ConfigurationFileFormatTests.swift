import AviaryServer
import Testing

// Helpers shared by the Configuration*Tests files.

/// The two keys every standalone configuration needs, so a test can add only the lines it is about.
let minimalZooCfg = "dataDir=/var/lib/aviary\nclientPort=2181\n"

func parseZooCfg(_ contents: String, path: String? = "zoo.cfg") throws(ConfigurationError)
    -> ServerConfiguration
{
    try ServerConfiguration.parse(contents: contents, path: path)
}

/// The error `contents` is rejected with, or `nil` if it parses.
func zooCfgError(_ contents: String, path: String? = "zoo.cfg") -> ConfigurationError? {
    do {
        _ = try ServerConfiguration.parse(contents: contents, path: path)
        return nil
    } catch {
        return error
    }
}

/// zoo.cfg is a Java .properties file; these pin down the parts of that grammar real files use.
struct ConfigurationFileFormatTests {
    @Test(arguments: [
        "dataDir=/srv/zk",
        "dataDir = /srv/zk",
        "dataDir: /srv/zk",
        "dataDir /srv/zk",
        "   dataDir=/srv/zk   ",
        "\tdataDir\t=\t/srv/zk\t",
        "dataDir=/srv/\\\n        zk",
        "data\\\n  Dir=/srv/zk",
    ])
    func everySeparatorStyleReadsTheSameValue(line: String) throws {
        let configuration = try parseZooCfg("clientPort=2181\n\(line)\n")
        #expect(configuration.dataDir == "/srv/zk")
    }

    @Test func commentsAndBlankLinesAreSkipped() throws {
        let configuration = try parseZooCfg(
            """
            # a comment
            ! also a comment
               # an indented comment
            #dataDir=/not/this

            dataDir=/srv/zk
            clientPort=2181
            """)
        #expect(configuration.dataDir == "/srv/zk")
        #expect(configuration.warnings.isEmpty)
    }

    @Test func commentEndingInBackslashDoesNotSwallowTheNextLine() throws {
        let configuration = try parseZooCfg("# comment \\\ndataDir=/srv/zk\nclientPort=2181\n")
        #expect(configuration.dataDir == "/srv/zk")
    }

    @Test func escapedBackslashAtEndOfLineDoesNotContinue() throws {
        let configuration = try parseZooCfg("dataDir=/srv/zk\\\\\nclientPort=2181\n")
        #expect(configuration.dataDir == "/srv/zk\\")
        #expect(configuration.clientPort == 2181)
    }

    @Test func escapesInValuesAreDecoded() throws {
        let configuration = try parseZooCfg(
            minimalZooCfg + "DigestAuthenticationProvider.superDigest=super\\:abc\\u0044\\=\n")
        #expect(configuration.superDigest == "super:abcD=")
    }

    @Test func lineNumbersCountContinuedAndCRLFLines() {
        let contents = "dataDir=/srv/\\\r\n  zk\r\nclientPort=2181\r\n\r\ntickTime=soon\r\n"
        let error = zooCfgError(contents)
        #expect(error?.line == 5)
        #expect(error?.key == "tickTime")
    }

    @Test func oldMacLineEndingsAreLineBreaks() throws {
        let configuration = try parseZooCfg("dataDir=/srv/zk\rclientPort=2181\rtickTime=3000")
        #expect(configuration.tickTimeMillis == 3000)
        #expect(configuration.clientPort == 2181)
    }

    @Test func malformedUnicodeEscapeIsAnErrorOnItsLine() {
        let error = zooCfgError("clientPort=2181\ndataDir=/srv/\\u00zz\n")
        #expect(error?.line == 2)
        #expect(error?.reason == "malformed \\uxxxx escape")
    }

    @Test func laterDuplicateKeyWinsWithAWarning() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "tickTime=2000\ntickTime=3000\n")
        #expect(configuration.tickTimeMillis == 3000)
        #expect(
            configuration.warnings == [
                ConfigurationWarning(
                    path: "zoo.cfg", line: 4, key: "tickTime", reason: "set again; overrides the value on line 3")
            ])
    }
}
