/// Splits a command line into words the way zkCli.sh does: words are separated by whitespace, and a word
/// that starts with a single or double quote runs to the matching quote, which is removed (`set /a "two
/// words"`). Unlike zkCli, an unclosed quote runs to the end of the line instead of being dropped, so a
/// typo does not silently change the data written.
public enum CommandTokenizer {
    public static func words(_ line: String) -> [String] {
        var words: [String] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character.isWhitespace {
                index = line.index(after: index)
                continue
            }
            if character == "\"" || character == "'" {
                let start = line.index(after: index)
                let close = line[start...].firstIndex(of: character) ?? line.endIndex
                words.append(String(line[start..<close]))
                index = close == line.endIndex ? close : line.index(after: close)
            } else {
                let end = line[index...].firstIndex(where: \.isWhitespace) ?? line.endIndex
                words.append(String(line[index..<end]))
                index = end
            }
        }
        return words
    }
}
