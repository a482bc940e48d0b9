/// The grammar of one shell command: its name, the flags it accepts, and its usage line. The usage lines
/// are zkCli.sh 3.8's, so people and scripts that know one shell know the other.
public struct CommandSpec: Sendable, Hashable {
    public var name: String
    /// What follows the name in the usage line.
    public var usage: String
    /// Flags without a value.
    public var flags: Set<Character>
    /// Flags that take a value (`-v version`).
    public var valueFlags: Set<Character>

    public init(_ name: String, _ usage: String, flags: Set<Character> = [], valueFlags: Set<Character> = []) {
        self.name = name
        self.usage = usage
        self.flags = flags
        self.valueFlags = valueFlags
    }

    public var usageLine: String { "\(name) \(usage)" }

    /// Every command, sorted by name as zkCli lists them.
    public static let all: [CommandSpec] = [
        CommandSpec(
            "addWatch", "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE",
            valueFlags: ["m"]),
        CommandSpec("addauth", "scheme auth"),
        CommandSpec("close", ""),
        CommandSpec("config", "[-c] [-w] [-s]", flags: ["c", "w", "s"]),
        CommandSpec("connect", "host:port"),
        CommandSpec("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]", flags: ["s", "e", "c"], valueFlags: ["t"]),
        CommandSpec("delete", "[-v version] path", valueFlags: ["v"]),
        CommandSpec("deleteall", "path [-b batch size]", valueFlags: ["b"]),
        CommandSpec("get", "[-s] [-w] path", flags: ["s", "w"]),
        CommandSpec("getAcl", "[-s] path", flags: ["s"]),
        CommandSpec("getAllChildrenNumber", "path"),
        CommandSpec("getEphemerals", "path"),
        CommandSpec("help", ""),
        CommandSpec("history", ""),
        CommandSpec("ls", "[-s] [-w] [-R] path", flags: ["s", "w", "R"]),
        CommandSpec("members", "[-n count] path # follow a group's members; stops after count lists, Ctrl-C or EOF", valueFlags: ["n"]),
        CommandSpec("printwatches", "on|off"),
        CommandSpec("quit", ""),
        CommandSpec("redo", "cmdno"),
        CommandSpec("removewatches", "path [-c|-d|-a] [-l]", flags: ["c", "d", "a", "l"]),
        CommandSpec("set", "[-s] [-v version] path data", flags: ["s"], valueFlags: ["v"]),
        CommandSpec("setAcl", "[-s] [-v version] [-R] path acl", flags: ["s", "R"], valueFlags: ["v"]),
        CommandSpec("stat", "[-w] path", flags: ["w"]),
        CommandSpec("sync", "path"),
        CommandSpec("whoami", ""),
    ]

    public static func named(_ name: String) -> CommandSpec? {
        all.first { $0.name == name }
    }

    /// The usage text printed for an unknown command, like zkCli's.
    public static var usageText: String {
        var lines = ["aviary-cli -server host:port[,host:port...][/chroot] [-timeout ms] [-e] [cmd args]"]
        for spec in all {
            lines.append("\t\(spec.usageLine)")
        }
        return lines.joined(separator: "\n")
    }
}
