import AviaryServer
import Testing

struct ConfigurationWhitelistTests {
    static let allWords: Set<String> = [
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "icfg", "isro", "mntr", "ruok", "srst",
        "srvr", "stat", "stmk", "sysp", "wchc", "wchp", "wchs",
    ]

    @Test(
        arguments: [
            ("4lw.commands.whitelist=*", allWords),
            ("4lw.commands.whitelist=ruok, *", allWords),
            ("4lw.commands.whitelist=ruok", ["ruok", "srvr"]),
            ("4lw.commands.whitelist=stat, ruok,conf ,mntr", ["stat", "ruok", "conf", "mntr", "srvr"]),
            ("4lw.commands.whitelist=stat,,ruok,", ["stat", "ruok", "srvr"]),
            ("4lw.commands.whitelist=", ["srvr"]),
            ("zookeeper.4lw.commands.whitelist=mntr", ["mntr", "srvr"]),
            ("readonlymode.enabled=true", ["srvr", "isro"]),
            ("readonlymode.enabled=true\n4lw.commands.whitelist=ruok", ["ruok", "srvr", "isro"]),
        ] as [(String, Set<String>)])
    func whitelistSelectsWordsAndAlwaysKeepsSrvr(line: String, expected: Set<String>) throws {
        let configuration = try parseZooCfg(minimalZooCfg + line + "\n")
        #expect(configuration.fourLetterWordWhitelist == expected)
        #expect(configuration.warnings.isEmpty)
    }

    @Test func unknownWordsAreDroppedWithAWarning() throws {
        let configuration = try parseZooCfg(minimalZooCfg + "4lw.commands.whitelist=ruok, RUOK, xyzw\n")
        #expect(configuration.fourLetterWordWhitelist == ["ruok", "srvr"])
        #expect(
            configuration.warnings.map(\.description) == [
                "zoo.cfg:3: 4lw.commands.whitelist: unknown four-letter word 'RUOK'; ignored",
                "zoo.cfg:3: 4lw.commands.whitelist: unknown four-letter word 'xyzw'; ignored",
            ])
    }
}
