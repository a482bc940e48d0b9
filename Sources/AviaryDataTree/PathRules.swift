import AviaryWire

/// ZooKeeper's rules for znode paths (`PathUtils.validatePath`), applied to Unicode scalars the way Java
/// applies them to UTF-16 code units: every non-BMP scalar would be a surrogate pair there, and surrogates are
/// banned, so every non-BMP scalar is rejected here.
public enum PathRules {
    public static func isValid(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        guard let first = scalars.first, first == "/" else { return false }
        if scalars.count == 1 { return true }
        if scalars.last == "/" { return false }
        var previous: Unicode.Scalar = "/"
        for index in 1..<scalars.count {
            let scalar = scalars[index]
            let value = scalar.value
            if value == 0 { return false }
            if scalar == "/" && previous == "/" { return false }
            if scalar == "." && previous == "." {
                // ".." is banned as a whole component: preceded by '/' and followed by '/' or the end.
                if index >= 2, scalars[index - 2] == "/", index + 1 == scalars.count || scalars[index + 1] == "/" {
                    return false
                }
            } else if scalar == "." && previous == "/" {
                if index + 1 == scalars.count || scalars[index + 1] == "/" { return false }
            }
            if (0x01...0x1F).contains(value) || (0x7F...0x9F).contains(value) || (0xD800...0xF8FF).contains(value)
                || (0xFFF0...0xFFFF).contains(value) || value > 0xFFFF
            {
                return false
            }
            previous = scalar
        }
        return true
    }

    /// The path of the parent, as ZooKeeper's prep step cuts it (everything before the last '/'), mapped so
    /// that the root's children have "/" as parent. Nil when there is no '/' or a NUL is present.
    public static func parent(of path: String) -> String? {
        guard !path.utf8.contains(0), let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let parent = String(path.utf8[..<slash])!
        return parent.isEmpty ? "/" : parent
    }

    /// The last component of a path.
    public static func childName(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path.utf8[path.utf8.index(after: slash)...])!
    }

    /// Joins a parent path and a child name.
    public static func join(_ parent: String, _ child: String) -> String {
        parent == "/" ? "/" + child : parent + "/" + child
    }

    public static let reserved: Set<String> = ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]
}
