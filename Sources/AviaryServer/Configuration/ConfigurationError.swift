/// A zoo.cfg problem that stops the server from starting.
///
/// It names the file, the line and the key so an operator can go straight to the fault; `description` reads like a
/// compiler diagnostic: `zoo.cfg:7: tickTime: not a positive integer: 'abc'`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file as the caller named it; `nil` when the text did not come from a file.
    public var path: String?
    /// The 1-based line where the offending entry starts; `nil` for problems of the file as a whole, such as a
    /// missing `dataDir` or an unreadable file.
    public var line: Int?
    /// The key as written in the file; `nil` when no single key is at fault.
    public var key: String?
    public var reason: String

    public init(path: String?, line: Int?, key: String?, reason: String) {
        self.path = path
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        diagnosticText(path: path, line: line, key: key, reason: reason)
    }
}

/// Something in zoo.cfg that the server accepted but did not act on as written: a key only the Java server
/// understands, a key nobody knows, or a value ZooKeeper would also have adjusted (such as a snapshot retain count
/// below 3). Warnings never stop the server; they are logged at start-up.
public struct ConfigurationWarning: Sendable, Equatable, CustomStringConvertible {
    public var path: String?
    /// The 1-based line of the entry; `nil` for observations about the file as a whole.
    public var line: Int?
    public var key: String?
    public var reason: String

    public init(path: String?, line: Int?, key: String?, reason: String) {
        self.path = path
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        diagnosticText(path: path, line: line, key: key, reason: reason)
    }
}

/// A value that failed validation, before the caller knows which file and line it came from.
struct ConfigurationValueError: Error, Sendable, Equatable {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

private func diagnosticText(path: String?, line: Int?, key: String?, reason: String) -> String {
    var text = path ?? "<configuration>"
    if let line {
        text += ":\(line)"
    }
    text += ": "
    if let key {
        text += "\(key): "
    }
    return text + reason
}
