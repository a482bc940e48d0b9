import AviaryDataTree
import AviaryWire
import Testing

/// delete, setData, setACL and check, each in the order of PrepRequestProcessor's checks.
struct UpdateErrorTests {
    static let other = Id(scheme: "ip", id: "10.0.0.1")

    /// delete: path shape and reserved paths, parent existence, DELETE on the parent, node existence, version,
    /// children.
    static let deleteCases: [WriteCase] = [
        WriteCase("a leaf", Op.delete("/a/b"), nil),
        WriteCase("a leaf at its version", Op.delete("/a/b", version: 0), nil),
        WriteCase("a missing node", Op.delete("/missing"), .noNode),
        WriteCase("under a missing parent", Op.delete("/missing/x"), .noNode),
        WriteCase("a node with children", Op.delete("/a"), .notEmpty),
        WriteCase("a wrong version", Op.delete("/a/b", version: 5), .badVersion),
        WriteCase("a wrong version beats children", Op.delete("/a", version: 5), .badVersion),
        WriteCase("the root", Op.delete("/"), .badArguments),
        WriteCase("/zookeeper", Op.delete("/zookeeper"), .badArguments),
        WriteCase("/zookeeper/quota", Op.delete("/zookeeper/quota"), .badArguments),
        WriteCase("/zookeeper/config", Op.delete("/zookeeper/config"), .badArguments),
        WriteCase("a path without a slash", Op.delete("a"), .badArguments),
        WriteCase("a path with NUL", Op.delete("/a\u{0}"), .badArguments),
        WriteCase("a trailing slash is looked up as is", Op.delete("/a/b/"), .noNode),
        WriteCase("no DELETE on the parent", Op.delete("/ro/child"), .noAuth),
        WriteCase("no DELETE beats a missing node", Op.delete("/ro/missing"), .noAuth),
        WriteCase("no DELETE beats a wrong version", Op.delete("/ro/child", version: 9), .noAuth),
        WriteCase("super user bypasses the parent ACL", Op.delete("/ro/child"), auth: [TreeFixture.superUser], nil),
        WriteCase("an ephemeral node", Op.delete("/eph"), nil),
    ]

    @Test(arguments: deleteCases)
    func deleteAnswersWithZooKeepersCode(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }

    /// setData: path validity, existence, WRITE, version.
    static let setDataCases: [WriteCase] = [
        WriteCase("an existing node", Op.setData("/a"), nil),
        WriteCase("at its version", Op.setData("/a", version: 0), nil),
        WriteCase("a wrong version", Op.setData("/a", version: 1), .badVersion),
        WriteCase("a missing node", Op.setData("/missing"), .noNode),
        WriteCase("a trailing slash", Op.setData("/missing/"), .badArguments),
        WriteCase("a '.' component", Op.setData("/a/./b"), .badArguments),
        WriteCase("no WRITE", Op.setData("/ro"), .noAuth),
        WriteCase("no WRITE beats a wrong version", Op.setData("/ro", version: 42), .noAuth),
        WriteCase("an ip identity under a digest ACL", Op.setData("/alice"), auth: [other], .noAuth),
        WriteCase("the digest user", Op.setData("/alice"), auth: [other, TreeFixture.alice], nil),
        WriteCase("super user bypasses the ACL", Op.setData("/ro"), auth: [TreeFixture.superUser], nil),
        WriteCase("the root", Op.setData("/"), nil),
        WriteCase("the config node is read-only", Op.setData("/zookeeper/config"), .noAuth),
        WriteCase("the config node as super", Op.setData("/zookeeper/config"), auth: [TreeFixture.superUser], nil),
        WriteCase("a child of the config node", Op.create("/zookeeper/config/x"), .noAuth),
        WriteCase("a child of /zookeeper", Op.create("/zookeeper/x"), nil),
    ]

    @Test(arguments: setDataCases)
    func setDataAnswersWithZooKeepersCode(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }

    /// setACL: path validity, ACL well-formedness, existence, ADMIN, aversion.
    static let setACLCases: [WriteCase] = [
        WriteCase("an existing node", Op.setACL("/a", [.readOnly()]), nil),
        WriteCase("at its aversion", Op.setACL("/a", [.readOnly()], version: 0), nil),
        WriteCase("a wrong aversion", Op.setACL("/a", [.readOnly()], version: 1), .badVersion),
        WriteCase("a missing node", Op.setACL("/missing", [.readOnly()]), .noNode),
        WriteCase("an empty ACL", Op.setACL("/a", []), .invalidACL),
        WriteCase("an invalid ACL beats a missing node", Op.setACL("/missing", []), .invalidACL),
        WriteCase("a bad path beats an invalid ACL", Op.setACL("/a/", []), .badArguments),
        WriteCase("no ADMIN", Op.setACL("/ro", ACL.openUnsafe), .noAuth),
        WriteCase("no ADMIN beats a wrong aversion", Op.setACL("/ro", ACL.openUnsafe, version: 7), .noAuth),
        WriteCase("super user bypasses the ACL", Op.setACL("/ro", ACL.openUnsafe), auth: [TreeFixture.superUser], nil),
        WriteCase("the digest user", Op.setACL("/alice", ACL.openUnsafe), auth: [TreeFixture.alice], nil),
    ]

    @Test(arguments: setACLCases)
    func setACLAnswersWithZooKeepersCode(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }

    /// check: path validity, existence, READ, version.
    static let checkCases: [WriteCase] = [
        WriteCase("the current version", Op.check("/a", version: 0), nil),
        WriteCase("any version", Op.check("/a", version: -1), nil),
        WriteCase("a wrong version", Op.check("/a", version: 3), .badVersion),
        WriteCase("a missing node", Op.check("/missing", version: 0), .noNode),
        WriteCase("a bad path", Op.check("/a//b", version: 0), .badArguments),
        WriteCase("no READ", Op.check("/alice", version: 0), .noAuth),
        WriteCase("no READ beats a wrong version", Op.check("/alice", version: 3), .noAuth),
        WriteCase("READ is enough", Op.check("/ro", version: 0), nil),
    ]

    @Test(arguments: checkCases)
    func checkAnswersWithZooKeepersCode(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }

    @Test func aRequestThatIsNotAWriteIsNotPrepared() {
        var fixture = TreeFixture.standard()
        #expect(fixture.code(Op.getData("/a")) == KeeperError.unimplemented.rawValue)
        #expect(fixture.code(.ping) == KeeperError.unimplemented.rawValue)
    }
}
