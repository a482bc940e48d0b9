import Foundation

/// Reads the package's Swift sources as lines of code: comments and the contents of string literals blanked, so
/// a wall only sees what the compiler compiles.
enum SourceScanner {
    struct PackageRootNotFound: Error, CustomStringConvertible {
        var description: String { "no Package.swift above \(#filePath)" }
    }

    /// The directory holding Package.swift, found by walking up from this file.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw PackageRootNotFound()
    }

    /// Every `.swift` file under `Sources/<module>`, sorted; empty when the module does not exist.
    static func swiftFiles(of module: String) throws -> [URL] {
        let directory = try packageRoot().appendingPathComponent("Sources").appendingPathComponent(module)
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            .sorted { $0.path < $1.path }
    }

    /// (1-based line number, code) for each line of `file` that has code left after blanking.
    static func codeLines(of file: URL) throws -> [(Int, String)] {
        let text = try String(contentsOf: file, encoding: .utf8)
        var inBlockComment = false
        var result: [(Int, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = strippingComment(String(line), inBlockComment: &inBlockComment)
            if !code.allSatisfy(\.isWhitespace) { result.append((index + 1, code)) }
        }
        return result
    }

    static func strippingComment(_ line: String) -> String {
        var inBlockComment = false
        return strippingComment(line, inBlockComment: &inBlockComment)
    }

    /// Drops `//` comments and `/* */` comments (which may span lines) and empties string literals.
    static func strippingComment(_ line: String, inBlockComment: inout Bool) -> String {
        var code = ""
        var inString = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            let next = characters.first
            if inBlockComment {
                if character == "*" && next == "/" {
                    inBlockComment = false
                    characters = characters.dropFirst()
                }
            } else if inString {
                if character == "\\" {
                    characters = characters.dropFirst()
                } else if character == "\"" {
                    inString = false
                    code.append(character)
                }
            } else if character == "/" && next == "/" {
                break
            } else if character == "/" && next == "*" {
                inBlockComment = true
                characters = characters.dropFirst()
            } else {
                if character == "\"" { inString = true }
                code.append(character)
            }
        }
        return code
    }

    /// The module an `import` declaration names (`import struct Foundation.Date` names Foundation), or nil.
    static func importedModule(in code: String) -> String? {
        let pattern = #/
            ^ \s* (?: @\w+ (?: \( [^)]* \) )? \s+ )*
            (?: (?: public | package | internal | fileprivate | private ) \s+ )?
            import \s+
            (?: (?: struct | class | enum | protocol | func | var | let | typealias | actor ) \s+ )?
            ( [A-Za-z_] [A-Za-z0-9_]* )
            /#
        guard let match = try? pattern.firstMatch(in: code) else { return nil }
        return String(match.output.1)
    }
}
