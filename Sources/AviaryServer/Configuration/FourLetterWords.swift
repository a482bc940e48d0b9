/// The four-letter words a server knows, and how `4lw.commands.whitelist` selects from them.
///
/// ZooKeeper enables `srvr` whatever the list says, because `zkServer.sh status` depends on it, and `isro` when
/// read-only mode is on, because clients probe for read-only servers with it. Aviary keeps both rules so that
/// tools written against ZooKeeper keep working.
enum FourLetterWords {
    /// Every word ZooKeeper 3.9 answers; `*` in the whitelist means all of these.
    static let known: Set<String> = [
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "icfg", "isro", "mntr", "ruok", "srst",
        "srvr", "stat", "stmk", "sysp", "wchc", "wchp", "wchs",
    ]

    static let alwaysEnabled: Set<String> = ["srvr"]

    /// Parses a comma-separated whitelist. Words are case-sensitive, as in ZooKeeper; empty items are skipped.
    /// Words no server knows are returned separately so the caller can warn about them; they could never be used.
    static func parseWhitelist(_ text: String) -> (words: Set<String>, unknown: [String]) {
        var words: Set<String> = []
        var unknown: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = ConfigurationValues.trimmed(item)
            if word == "*" {
                return (known, [])
            }
            if word.isEmpty {
                continue
            }
            if known.contains(word) {
                words.insert(word)
            } else {
                unknown.append(word)
            }
        }
        return (words, unknown)
    }
}
