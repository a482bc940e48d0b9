import AviaryDataTree
import Testing

/// `PathRules.isValid` against ZooKeeper's `PathUtils.validatePath` (and its test cases). Java checks UTF-16
/// code units, so every character outside the BMP (a surrogate pair there) is rejected.
struct PathRulesTests {
    static let valid: [String] = [
        "/",
        "/a",
        "/a/b/c",
        "/this is / a valid/path",
        "/name/with.period.",
        "/..a",
        "/a..",
        "/.a",
        "/a/...",
        "/a/.b/c",
        "/test\u{20}",
        "/test\u{7E}",
        "/test\u{A0}",
        "/zoë",
        "/日本語",
        "/test\u{D7FF}",
        "/test\u{F900}",
        "/test\u{FFEF}",
        "/zookeeper",
    ]

    static let invalid: [String] = [
        "",
        "a",
        "a/b",
        "/a/",
        "/ends/with/slash/",
        "//",
        "//a",
        "/double//slash",
        "/.",
        "/..",
        "/single/./period",
        "/double/../period",
        "/a/.",
        "/a/..",
        "/test\u{0}",
        "/test\u{1}",
        "/test\u{1F}",
        "/test\u{7F}",
        "/test\u{80}",
        "/test\u{9F}",
        "/test\u{E000}",
        "/test\u{F8FF}",
        "/test\u{FFF0}",
        "/test\u{FFFF}",
        "/emoji😀",
        "/test\u{10000}",
        "/test\u{10FFFF}",
    ]

    @Test(arguments: valid)
    func zooKeeperAcceptsThisPath(path: String) {
        #expect(PathRules.isValid(path))
    }

    @Test(arguments: invalid)
    func zooKeeperRejectsThisPath(path: String) {
        #expect(!PathRules.isValid(path))
    }

    @Test(
        arguments: [
            ("/a", "/"), ("/a/b", "/a"), ("/a/b/", "/a/b"), ("/", "/"), ("//a", "/"),
        ] as [(String, String)])
    func parentIsEverythingBeforeTheLastSlash(path: String, parent: String) {
        #expect(PathRules.parent(of: path) == parent)
    }

    @Test(arguments: ["", "a", "/a\u{0}b"])
    func thereIsNoParentWithoutASlashOrWithNUL(path: String) {
        #expect(PathRules.parent(of: path) == nil)
    }

    @Test func joinAndChildNameUndoEachOther() {
        #expect(PathRules.join("/", "a") == "/a")
        #expect(PathRules.join("/a", "b") == "/a/b")
        #expect(PathRules.childName(of: "/a/b") == "b")
        #expect(PathRules.childName(of: "/a") == "a")
    }
}
