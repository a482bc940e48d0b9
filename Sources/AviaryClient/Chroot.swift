/// Maps the caller's paths to server paths under a chroot and back, as the Java client does: every path sent
/// is prefixed, every path received (created names, event paths, ephemeral lists) has the prefix removed.
struct Chroot: Sendable, Hashable {
    /// The prefix without a trailing slash; nil for none.
    let prefix: String?

    init(_ prefix: String?) {
        self.prefix = prefix
    }

    /// A path the caller may send: absolute, no trailing slash (except the root, and a sequential create's
    /// prefix, which the server completes), no empty component. The server checks the finer rules.
    static func isValid(_ path: String, allowTrailingSlash: Bool = false) -> Bool {
        guard path.hasPrefix("/") else { return false }
        if path == "/" { return true }
        if path.hasSuffix("/") && !allowTrailingSlash { return false }
        // A byte scan: Substring's generic `contains("//")` was a tenth of a busy client's CPU.
        var previousWasSlash = false
        for byte in path.utf8 {
            let isSlash = byte == UInt8(ascii: "/")
            if isSlash && previousWasSlash { return false }
            previousWasSlash = isSlash
        }
        return true
    }

    func serverPath(_ path: String) -> String {
        guard let prefix else { return path }
        return path == "/" ? prefix : prefix + path
    }

    func clientPath(_ path: String) -> String {
        guard let prefix, path.hasPrefix(prefix) else { return path }
        if path.count == prefix.count { return "/" }
        let rest = path.dropFirst(prefix.count)
        // "/app" must not strip "/apple": only a whole component counts.
        return rest.hasPrefix("/") ? String(rest) : path
    }
}
