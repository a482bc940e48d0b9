import AviaryDataTree
import AviaryWire
import Testing

/// One write against `TreeFixture.standard()` and the code ZooKeeper 3.8 answers it with (nil = success).
struct WriteCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var request: ClientRequest
    var auth: [Id] = []
    var extendedTypesEnabled = false
    var expected: KeeperError?

    init(
        _ name: String, _ request: ClientRequest, auth: [Id] = [], extendedTypesEnabled: Bool = false,
        _ expected: KeeperError?
    ) {
        testDescription = name
        self.request = request
        self.auth = auth
        self.extendedTypesEnabled = extendedTypesEnabled
        self.expected = expected
    }

    func run() -> Int32 {
        var fixture = TreeFixture.standard()
        fixture.extendedTypesEnabled = extendedTypesEnabled
        return fixture.code(request, auth: auth)
    }
}

/// create, in the order PrepRequestProcessor checks: flags, TTL support and range, path shape, ACL well-formedness,
/// parent existence, CREATE permission, the sequential name's validity, existence, an ephemeral parent.
struct CreateErrorTests {
    static let cases: [WriteCase] = [
        WriteCase("a child of the root", Op.create("/x"), nil),
        WriteCase("a grandchild", Op.create("/a/b/c"), nil),
        WriteCase("missing parent", Op.create("/missing/x"), .noNode),
        WriteCase("missing grandparent", Op.create("/missing/deeper/x"), .noNode),
        WriteCase("existing node", Op.create("/a"), .nodeExists),
        WriteCase("the root itself", Op.create("/"), .nodeExists),
        WriteCase("child of an ephemeral", Op.create("/eph/x"), .noChildrenForEphemerals),
        WriteCase(
            "sequential child of an ephemeral", Op.create("/eph/x", mode: .persistentSequential),
            .noChildrenForEphemerals),
        WriteCase("unknown flags", Op.createFlags("/x", flags: 7), .badArguments),
        WriteCase("negative flags", Op.createFlags("/x", flags: -1), .badArguments),
        WriteCase("unknown flags beat a missing parent", Op.createFlags("/missing/x", flags: 9), .badArguments),
        WriteCase("TTL without extended types", Op.createTTL("/t", ttl: 1000), .unimplemented),
        WriteCase("TTL with extended types", Op.createTTL("/t", ttl: 1000), extendedTypesEnabled: true, nil),
        WriteCase("TTL of zero", Op.createTTL("/t", ttl: 0), extendedTypesEnabled: true, .badArguments),
        WriteCase(
            "TTL above the maximum", Op.createTTL("/t", ttl: EphemeralOwner.ttlMaximumMillis + 1),
            extendedTypesEnabled: true, .badArguments),
        WriteCase(
            "TTL at the maximum", Op.createTTL("/t", ttl: EphemeralOwner.ttlMaximumMillis), extendedTypesEnabled: true,
            nil),
        WriteCase(
            "TTL opcode with a non-TTL mode", Op.createTTL("/t", ttl: 1000, mode: .persistent),
            extendedTypesEnabled: true, .badArguments),
        WriteCase("unsupported TTL beats a missing parent", Op.createTTL("/missing/t", ttl: 1000), .unimplemented),
        WriteCase("path without a slash", Op.create("x"), .badArguments),
        WriteCase("empty path", Op.create(""), .badArguments),
        WriteCase("NUL in the path", Op.create("/a\u{0}b"), .badArguments),
        WriteCase("NUL beats a missing parent", Op.create("/missing/\u{0}"), .badArguments),
        WriteCase("trailing slash under an existing parent", Op.create("/a/"), .badArguments),
        WriteCase("control character under an existing parent", Op.create("/a/b\u{1}"), .badArguments),
        WriteCase("'.' component under an existing parent", Op.create("/a/."), .badArguments),
        WriteCase("'..' component under an existing parent", Op.create("/a/.."), .badArguments),
        WriteCase("'..a' is an ordinary name", Op.create("/a/..a"), nil),
        // The parent is looked up before the full path is validated, so a bad path under a missing parent says noNode.
        WriteCase("trailing slash under a missing parent", Op.create("/missing/x/"), .noNode),
        WriteCase("empty component means a missing parent", Op.create("/a//b"), .noNode),
        WriteCase("empty ACL", Op.create("/x", acl: []), .invalidACL),
        WriteCase("unknown scheme", Op.create("/x", acl: [ACL(.all, Id(scheme: "nosuch", id: "x"))]), .invalidACL),
        WriteCase(
            "world with an id other than anyone", Op.create("/x", acl: [ACL(.all, Id(scheme: "world", id: "me"))]),
            .invalidACL),
        WriteCase("auth scheme without authenticated identity", Op.create("/x", acl: ACL.creatorAll), .invalidACL),
        WriteCase(
            "auth scheme with only an ip identity", Op.create("/x", acl: ACL.creatorAll),
            auth: [Id(scheme: "ip", id: "127.0.0.1")], .invalidACL),
        WriteCase(
            "auth scheme with a digest identity", Op.create("/x", acl: ACL.creatorAll), auth: [TreeFixture.alice], nil),
        WriteCase(
            "malformed ip ACL", Op.create("/x", acl: [ACL(.all, Id(scheme: "ip", id: "10.0.0.0/40"))]), .invalidACL),
        WriteCase(
            "digest ACL without a hash", Op.create("/x", acl: [ACL(.all, Id(scheme: "digest", id: "alice"))]),
            .invalidACL),
        WriteCase("invalid ACL beats a missing parent", Op.create("/missing/x", acl: []), .invalidACL),
        WriteCase("no CREATE on the parent", Op.create("/ro/x"), .noAuth),
        WriteCase("no CREATE beats an existing node", Op.create("/ro/child"), .noAuth),
        WriteCase("no CREATE beats a bad name", Op.create("/ro/."), .noAuth),
        WriteCase("super user bypasses the parent ACL", Op.create("/ro/x"), auth: [TreeFixture.superUser], nil),
        WriteCase("digest user with CREATE", Op.create("/alice/x"), auth: [TreeFixture.alice], nil),
        WriteCase("another digest user", Op.create("/alice/x"), auth: [TreeFixture.bob], .noAuth),
        WriteCase("anonymous under a digest ACL", Op.create("/alice/x"), .noAuth),
        WriteCase("create2 of an existing node", Op.create2("/a"), .nodeExists),
        WriteCase("container under a missing parent", Op.container("/missing/c"), .noNode),
    ]

    @Test(arguments: cases)
    func createAnswersWithZooKeepersCode(testCase: WriteCase) {
        #expect(testCase.run() == testCase.expected?.rawValue ?? 0)
    }

    /// ZooKeeper's `DigestAuthenticationProvider.isValid` is `id.split(":").length == 2`, and Java's split drops
    /// trailing empty strings: `alice:` is one part (invalid), `alice:hash:` two (valid), `a::b` three.
    @Test(
        arguments: [
            ("alice:", false), ("alice:hash:", true), ("a::b", false), (":hash", true), ("alice:hash", true),
            ("a:b::", true),
        ])
    func digestACLIdIsValidExactlyWhenJavaSplitGivesTwoParts(id: String, valid: Bool) {
        let acl = [ACL(.all, Id(scheme: "digest", id: id))]
        var fixture = TreeFixture()
        let code = fixture.code(Op.create("/x", acl: acl))
        #expect(code == (valid ? 0 : KeeperError.invalidACL.rawValue), "digest:\(id)")
    }

    @Test func aFailedCreateLeavesTheTreeAndItsParentUntouched() {
        var fixture = TreeFixture.standard()
        let before = fixture.stat("/a")
        #expect(fixture.code(Op.create("/a/b")) == KeeperError.nodeExists.rawValue)
        #expect(fixture.stat("/a") == before)
        #expect(fixture.pending.isEmpty)
        #expect(fixture.events.isEmpty)
    }

    @Test func authACLExpandsToTheAuthenticatedIdentitiesOnly() throws {
        var fixture = TreeFixture()
        try fixture.write(
            Op.create("/mine", acl: ACL.creatorAll), auth: [Id(scheme: "ip", id: "10.1.1.1"), TreeFixture.alice])
        let node = try #require(fixture.tree.node(at: "/mine"))
        #expect(fixture.tree.acl(of: node) == [ACL(.all, TreeFixture.alice)])
    }
}
