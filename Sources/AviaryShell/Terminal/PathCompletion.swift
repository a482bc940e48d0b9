/// The pure half of znode path completion: which node to ask for children, and which of its children
/// complete the typed text.
public enum PathCompletion {
    /// Splits a typed path into the parent to list and the prefix of the child name: `/a/b/fo` →
    /// (`/a/b`, `fo`), `/a/` → (`/a`, ``), `/fo` → (`/`, `fo`). Nil for text that is not an absolute path.
    public static func split(_ text: String) -> (parent: String, prefix: String)? {
        guard text.hasPrefix("/"), let slash = text.lastIndex(of: "/") else { return nil }
        let parent = slash == text.startIndex ? "/" : String(text[..<slash])
        guard !parent.contains("//") else { return nil }
        return (parent, String(text[text.index(after: slash)...]))
    }

    /// The full paths of the children of `parent` whose names start with `prefix`, sorted.
    public static func candidates(parent: String, prefix: String, children: [String]) -> [String] {
        children.filter { $0.hasPrefix(prefix) }.sorted().map { parent == "/" ? "/\($0)" : "\(parent)/\($0)" }
    }

    /// Command names starting with `prefix`, sorted.
    public static func commands(prefix: String) -> [String] {
        CommandSpec.all.map(\.name).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The longest common prefix of the candidates: what a tab inserts when several match.
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first else { return "" }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
