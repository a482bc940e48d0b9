import AviaryClient

/// ACLs as the shell reads and prints them: `scheme:id:perms[,scheme:id:perms...]` with permission letters
/// `cdrwa`, and zkCli's two-line listing (`'world,'anyone` / `: cdrwa`).
public enum ACLText {
    /// Parses an ACL list. The id is everything between the first and the last colon, so digest ids
    /// (`digest:user:hash:cdrwa`) and IPv6 ids keep their colons.
    ///
    /// - Throws: `ShellError` with `InvalidACL`'s status: zkCli warns about a bad entry and sends the rest,
    ///   which the server then rejects; failing before sending says the same thing sooner.
    public static func parse(_ text: String, path: String) throws(ShellError) -> [ACL] {
        var acl: [ACL] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let first = entry.firstIndex(of: ":"), let last = entry.lastIndex(of: ":"), first != last else {
                throw invalid("\(entry) does not have the form scheme:id:perm", path: path)
            }
            let scheme = String(entry[..<first])
            let id = String(entry[entry.index(after: first)..<last])
            let letters = entry[entry.index(after: last)...]
            var permissions: Permissions = []
            for letter in letters {
                guard let permission = permission(letter) else {
                    throw invalid("Unknown perm type: \(letter)", path: path)
                }
                permissions.insert(permission)
            }
            acl.append(ACL(permissions, Id(scheme: scheme, id: id)))
        }
        return acl
    }

    /// Permission letters in zkCli's order: `cdrwa`.
    public static func letters(_ perms: Int32) -> String {
        let permissions = Permissions(rawValue: perms)
        var text = ""
        if permissions.contains(.create) { text += "c" }
        if permissions.contains(.delete) { text += "d" }
        if permissions.contains(.read) { text += "r" }
        if permissions.contains(.write) { text += "w" }
        if permissions.contains(.admin) { text += "a" }
        return text
    }

    /// `getAcl`'s listing: two lines per entry.
    public static func listing(_ acl: [ACL]) -> [String] {
        acl.flatMap { ["'\($0.id.scheme),'\($0.id.id)", ": \(letters($0.perms))"] }
    }

    private static func permission(_ letter: Character) -> Permissions? {
        switch letter {
        case "r": .read
        case "w": .write
        case "c": .create
        case "d": .delete
        case "a": .admin
        default: nil
        }
    }

    private static func invalid(_ detail: String, path: String) -> ShellError {
        ShellError("\(detail)\nAcl is not valid : \(path)", status: ExitStatus.status(for: .invalidACL))
    }
}
