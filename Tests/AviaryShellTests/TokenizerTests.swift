import AviaryShell
import Testing

struct TokenizerTests {
    @Test(arguments: [
        ("ls /", ["ls", "/"]),
        ("  set /a   hello  ", ["set", "/a", "hello"]),
        ("set /a \"two words\"", ["set", "/a", "two words"]),
        ("set /a 'it''s'", ["set", "/a", "it", "s"]),
        ("create /a \"unclosed quote", ["create", "/a", "unclosed quote"]),
        ("create /a x\"y", ["create", "/a", "x\"y"]),
        ("", []),
    ] as [(String, [String])])
    func splitsWordsAsZkCliDoes(line: String, words: [String]) {
        #expect(CommandTokenizer.words(line) == words)
    }
}
