/// How zoo.cfg values are read: ZooKeeper's rules (`Integer.parseInt`, its own `true`/`false` check), with the error
/// text an operator needs to fix the line.
enum ConfigurationValues {
    /// Java's `String.trim`: drops every leading and trailing character at or below U+0020, which covers spaces,
    /// tabs, form feeds and stray carriage returns.
    static func trimmed<Text: StringProtocol>(_ text: Text) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
            let last = scalars.lastIndex(where: { $0.value > 0x20 })
        else {
            return ""
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[first...last])
        return result
    }

    /// A Java `int`: optional sign, ASCII digits, within 32 bits.
    static func integer(_ text: String) throws(ConfigurationValueError) -> Int {
        try parsedInt32(text, expected: "an integer")
    }

    private static func parsedInt32(_ text: String, expected: String) throws(ConfigurationValueError) -> Int {
        if let value = Int32(text) {
            return Int(value)
        }
        throw ConfigurationValueError(integerFailure(text, expected: expected))
    }

    /// A Java `long`: optional sign, ASCII digits, within 64 bits.
    static func long(_ text: String) throws(ConfigurationValueError) -> Int64 {
        if let value = Int64(text) {
            return value
        }
        throw ConfigurationValueError(integerFailure(text, expected: "an integer", bits: 64))
    }

    static func positiveInteger(_ text: String) throws(ConfigurationValueError) -> Int {
        let value = try parsedInt32(text, expected: "a positive integer")
        guard value > 0 else {
            throw ConfigurationValueError("not a positive integer: '\(text)'")
        }
        return value
    }

    static func nonNegativeInteger(_ text: String) throws(ConfigurationValueError) -> Int {
        let value = try parsedInt32(text, expected: "a non-negative integer")
        guard value >= 0 else {
            throw ConfigurationValueError("not a non-negative integer: '\(text)'")
        }
        return value
    }

    /// A TCP port, where 0 means "not set" as it does in ZooKeeper.
    static func optionalPort(_ text: String) throws(ConfigurationValueError) -> Int? {
        guard let value = Int32(text), (0...65535).contains(value) else {
            throw ConfigurationValueError("not a port number (0-65535): '\(text)'")
        }
        return value == 0 ? nil : Int(value)
    }

    static func port(_ text: String) throws(ConfigurationValueError) -> Int {
        guard let value = Int32(text), (1...65535).contains(value) else {
            throw ConfigurationValueError("not a port number (1-65535): '\(text)'")
        }
        return Int(value)
    }

    /// ZooKeeper's own keys accept exactly `true` or `false`, in any case; anything else is a start-up error.
    static func boolean(_ text: String) throws(ConfigurationValueError) -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ConfigurationValueError("not 'true' or 'false': '\(text)'")
        }
    }

    /// `forceSync` is the one switch ZooKeeper spells yes/no. ZooKeeper treats anything but `no` as yes; a typo here
    /// silently decides durability, so Aviary rejects it instead.
    static func yesNo(_ text: String) throws(ConfigurationValueError) -> Bool {
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw ConfigurationValueError("not 'yes' or 'no': '\(text)'")
        }
    }

    static func nonEmpty(_ text: String) throws(ConfigurationValueError) -> String {
        guard !text.isEmpty else {
            throw ConfigurationValueError("must not be empty")
        }
        return text
    }

    /// A host name or address; IPv6 literals may be written in brackets, which are removed.
    static func host(_ text: String) throws(ConfigurationValueError) -> String {
        let host = try nonEmpty(text)
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 {
            return String(host.dropFirst().dropLast())
        }
        return host
    }

    /// Resolves a directory named in the configuration file.
    ///
    /// Relative paths are taken relative to the directory holding the configuration file, so the same file
    /// works whatever the server's working directory is. ZooKeeper resolves them against the working directory (and
    /// warns that relative paths are fragile); configurations in the wild use absolute paths, which are unaffected.
    /// With no file behind the text, a relative path stays relative. `.` and `..` are removed lexically.
    static func directory(_ text: String, relativeTo baseDirectory: String?) throws(ConfigurationValueError) -> String {
        let path = try nonEmpty(text)
        if path.hasPrefix("/") {
            return normalize(path)
        }
        guard let baseDirectory else {
            return normalize(path)
        }
        return normalize(baseDirectory + "/" + path)
    }

    /// The directory part of a file path: `conf/zoo.cfg` → `conf`, `zoo.cfg` → `.`.
    static func directoryContaining(_ filePath: String) -> String {
        guard let slash = filePath.lastIndex(of: "/") else {
            return "."
        }
        if slash == filePath.startIndex {
            return "/"
        }
        return String(filePath[..<slash])
    }

    static func normalize(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".":
                continue
            case "..":
                if let last = components.last, last != ".." {
                    components.removeLast()
                } else if !isAbsolute {
                    components.append(component)
                }
            default:
                components.append(component)
            }
        }
        let joined = components.joined(separator: "/")
        if isAbsolute {
            return "/" + joined
        }
        return joined.isEmpty ? "." : joined
    }

    private static func integerFailure(_ text: String, expected: String, bits: Int = 32) -> String {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text[...]
        let looksNumeric = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        if looksNumeric {
            let limit = bits == 32 ? String(Int32.max) : String(Int64.max)
            return "out of range (at most \(limit)): '\(text)'"
        }
        return "not \(expected): '\(text)'"
    }
}
