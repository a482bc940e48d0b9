/// Splits text in the Java `.properties` format, which zoo.cfg is written in, into key/value entries.
///
/// Grammar, as `java.util.Properties.load` reads it:
///
///     file          = { logical-line }
///     logical-line  = natural-line { continuation natural-line }
///     natural-line  = ws* { char - newline } ( newline | end-of-file )
///     continuation  = an odd number of "\" at the end of a natural line; the last "\" and the newline are
///                     dropped and the next natural line's leading ws is skipped
///     newline       = LF | CR | CR LF
///     ws            = " " | TAB | FF
///     comment       = ws* ( "#" | "!" ) { char - newline }      ; only at the start of a logical line; never continued
///     blank         = ws* newline
///     entry         = key [ ws* ( "=" | ":" ) ] ws* value
///     key           = { char }, ended by the first unescaped "=", ":" or ws
///     value         = the rest of the logical line, trailing ws included
///     escape        = "\t" | "\n" | "\r" | "\f" | "\u" hex4 | "\" char          ; "\x" stands for "x"
///
/// `\u` escapes are UTF-16 code units, so a character outside the BMP is written as two of them.
/// Every entry is returned in file order, duplicates included: Java keeps the last, and the caller needs to see
/// both to warn about it. Keys and values are returned unescaped but untrimmed; ZooKeeper trims them itself.
enum PropertiesFileParser {
    struct Entry: Sendable, Equatable {
        var key: String
        var value: String
        /// The 1-based line where the logical line starts.
        var line: Int
    }

    struct SyntaxError: Error, Sendable, Equatable {
        var line: Int
        var reason: String
    }

    static func parse(_ text: String) throws(SyntaxError) -> [Entry] {
        var reader = LineReader(scalars: Array(text.unicodeScalars))
        var entries: [Entry] = []
        while let (logicalLine, lineNumber) = reader.nextLogicalLine() {
            let (rawKey, rawValue) = splitKeyAndValue(logicalLine)
            do {
                let entry = Entry(key: try unescape(rawKey), value: try unescape(rawValue), line: lineNumber)
                entries.append(entry)
            } catch {
                throw SyntaxError(line: lineNumber, reason: error.reason)
            }
        }
        return entries
    }

    private static func splitKeyAndValue(
        _ line: ArraySlice<Unicode.Scalar>
    ) -> (key: ArraySlice<Unicode.Scalar>, value: ArraySlice<Unicode.Scalar>) {
        var keyEnd = line.startIndex
        var valueStart = line.endIndex
        var hasSeparator = false
        var precedingBackslash = false
        while keyEnd < line.endIndex {
            let scalar = line[keyEnd]
            if !precedingBackslash && (scalar == "=" || scalar == ":") {
                valueStart = keyEnd + 1
                hasSeparator = true
                break
            }
            if !precedingBackslash && isWhitespace(scalar) {
                valueStart = keyEnd + 1
                break
            }
            precedingBackslash = scalar == "\\" ? !precedingBackslash : false
            keyEnd += 1
        }
        // "key = value", "key=value", "key value" and "key : value" all mean the same; only one separator is
        // consumed, so "key==value" has the value "=value".
        while valueStart < line.endIndex {
            let scalar = line[valueStart]
            if isWhitespace(scalar) {
                valueStart += 1
            } else if !hasSeparator && (scalar == "=" || scalar == ":") {
                hasSeparator = true
                valueStart += 1
            } else {
                break
            }
        }
        return (line[line.startIndex..<keyEnd], line[valueStart..<line.endIndex])
    }

    private static func unescape(_ text: ArraySlice<Unicode.Scalar>) throws(SyntaxError) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let scalar = text[index]
            index += 1
            guard scalar == "\\" else {
                units.append(contentsOf: Character(scalar).utf16)
                continue
            }
            guard index < text.endIndex else { break }
            let escaped = text[index]
            index += 1
            switch escaped {
            case "u":
                guard text.endIndex - index >= 4, let unit = hexCodeUnit(text[index..<(index + 4)]) else {
                    throw SyntaxError(line: 0, reason: "malformed \\uxxxx escape")
                }
                units.append(unit)
                index += 4
            case "t": units.append(0x09)
            case "n": units.append(0x0A)
            case "r": units.append(0x0D)
            case "f": units.append(0x0C)
            default: units.append(contentsOf: Character(escaped).utf16)
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    private static func hexCodeUnit(_ digits: ArraySlice<Unicode.Scalar>) -> UInt16? {
        var unit: UInt16 = 0
        for digit in digits {
            guard digit.isASCII, let value = UInt16(String(digit), radix: 16) else { return nil }
            unit = unit << 4 | value
        }
        return unit
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{0C}"
    }
}

/// Joins natural lines into logical lines and drops comments and blank lines, keeping line numbers.
private struct LineReader {
    let scalars: [Unicode.Scalar]
    var index = 0
    var lineNumber = 1

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    mutating func nextLogicalLine() -> (ArraySlice<Unicode.Scalar>, Int)? {
        while index < scalars.count {
            skipWhitespace()
            let startLine = lineNumber
            guard index < scalars.count else { return nil }
            let first = scalars[index]
            if isNewline(first) {
                consumeNewline()
                continue
            }
            if first == "#" || first == "!" {
                skipToEndOfLine()
                continue
            }
            return (readContinuedLine(), startLine)
        }
        return nil
    }

    private mutating func readContinuedLine() -> ArraySlice<Unicode.Scalar> {
        var buffer: [Unicode.Scalar] = []
        while true {
            let segmentStart = buffer.count
            while index < scalars.count && !isNewline(scalars[index]) {
                buffer.append(scalars[index])
                index += 1
            }
            // Only this natural line's backslashes count: an escaped backslash pair ("\\") does not continue.
            var trailingBackslashes = 0
            var position = buffer.count - 1
            while position >= segmentStart && buffer[position] == "\\" {
                trailingBackslashes += 1
                position -= 1
            }
            let atEndOfFile = index >= scalars.count
            consumeNewline()
            guard trailingBackslashes % 2 == 1 else { break }
            buffer.removeLast()
            if atEndOfFile { break }
            skipWhitespace()
        }
        return buffer[...]
    }

    private mutating func skipWhitespace() {
        while index < scalars.count && PropertiesFileParser.isWhitespace(scalars[index]) {
            index += 1
        }
    }

    private mutating func skipToEndOfLine() {
        while index < scalars.count && !isNewline(scalars[index]) {
            index += 1
        }
        consumeNewline()
    }

    private mutating func consumeNewline() {
        guard index < scalars.count else { return }
        if scalars[index] == "\r" {
            index += 1
            if index < scalars.count && scalars[index] == "\n" {
                index += 1
            }
            lineNumber += 1
        } else if scalars[index] == "\n" {
            index += 1
            lineNumber += 1
        }
    }

    private func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\n" || scalar == "\r"
    }
}
