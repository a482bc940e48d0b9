/// A command's words split into flags and positional arguments, following Apache commons-cli as zkCli uses
/// it: flags may come before or after the positional arguments (`removewatches /a -d`), a value flag takes
/// the next word (`-v 3`) or the rest of its own (`-v3`), and `--` ends the flags so data may start with a
/// dash (`set /a -- -1`).
public struct CommandArguments: Sendable, Hashable {
    public var flags: Set<Character> = []
    public var values: [Character: String] = [:]
    /// The positional words after the command name.
    public var positional: [String] = []

    public init(flags: Set<Character> = [], values: [Character: String] = [:], positional: [String] = []) {
        self.flags = flags
        self.values = values
        self.positional = positional
    }

    /// Splits `words` (the command name excluded) by `spec`.
    /// - Throws: `ShellError.usage` for an unknown flag or a value flag without a value.
    public init(parsing words: [String], spec: CommandSpec) throws(ShellError) {
        var index = 0
        var flagsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if flagsEnded || !word.hasPrefix("-") || word == "-" {
                positional.append(word)
                continue
            }
            if word == "--" {
                flagsEnded = true
                continue
            }
            let name = word.dropFirst()
            guard let flag = name.first else { continue }
            if spec.valueFlags.contains(flag) {
                if name.count > 1 {
                    values[flag] = String(name.dropFirst())
                } else if index < words.count {
                    values[flag] = words[index]
                    index += 1
                } else {
                    throw ShellError.usage("Missing argument for option: \(flag)")
                }
            } else if name.count == 1, spec.flags.contains(flag) {
                flags.insert(flag)
            } else if name.allSatisfy({ spec.flags.contains($0) }) {
                // Grouped flags, as commons-cli accepts them: `-se` is `-s -e`.
                flags.formUnion(name)
            } else {
                throw ShellError.usage("Unrecognized option: \(word)")
            }
        }
    }

    public func has(_ flag: Character) -> Bool { flags.contains(flag) }
}
