import AviaryDataTree
import AviaryWire
import Testing

/// Reads answered from the local tree: their ACL checks (exists checks none), getACL's masking of digest ids,
/// getEphemerals, multiRead, checkWatches.
struct ReadTests {
    struct ReadCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var request: ClientRequest
        var auth: [Id]
        var expected: KeeperError?

        init(_ name: String, _ request: ClientRequest, auth: [Id] = [], _ expected: KeeperError?) {
            testDescription = name
            self.request = request
            self.auth = auth
            self.expected = expected
        }
    }

    static let cases: [ReadCase] = [
        ReadCase("exists of a missing node", Op.exists("/missing"), .noNode),
        ReadCase("exists checks no ACL", Op.exists("/alice"), nil),
        ReadCase("exists of a path with NUL", Op.exists("/a\u{0}"), .badArguments),
        ReadCase("getData of a missing node", Op.getData("/missing"), .noNode),
        ReadCase("getData without READ", Op.getData("/alice"), .noAuth),
        ReadCase("getData as the digest user", Op.getData("/alice"), auth: [TreeFixture.alice], nil),
        ReadCase("getData as another digest user", Op.getData("/alice"), auth: [TreeFixture.bob], .noAuth),
        ReadCase("getData as super", Op.getData("/alice"), auth: [TreeFixture.superUser], nil),
        ReadCase("getChildren without READ", Op.getChildren("/alice"), .noAuth),
        ReadCase("getChildren of a missing node", Op.getChildren("/missing"), .noNode),
        ReadCase("getACL of a missing node", .getACL(PathRequest(path: "/missing")), .noNode),
        ReadCase("getACL without READ or ADMIN", .getACL(PathRequest(path: "/alice")), .noAuth),
        ReadCase("getACL with READ only", .getACL(PathRequest(path: "/ro")), nil),
        ReadCase("getAllChildrenNumber without READ", .getAllChildrenNumber(PathRequest(path: "/alice")), .noAuth),
        ReadCase("getAllChildrenNumber of a missing node", .getAllChildrenNumber(PathRequest(path: "/x")), .noNode),
        ReadCase("checkWatches with no watch", .checkWatches(PathTypeRequest(path: "/a", type: 3)), .noWatcher),
        ReadCase("removeWatches with no watch", .removeWatches(PathTypeRequest(path: "/a", type: 1)), .noWatcher),
        ReadCase(
            "removeWatches of type persistent", .removeWatches(PathTypeRequest(path: "/a", type: 4)),
            .marshallingError),
        ReadCase(
            "checkWatches of an unknown type", .checkWatches(PathTypeRequest(path: "/a", type: 9)), .marshallingError),
        ReadCase("a write", Op.setData("/a"), .unimplemented),
    ]

    @Test(arguments: cases)
    func readAnswersWithZooKeepersCode(testCase: ReadCase) {
        var fixture = TreeFixture.standard()
        #expect(fixture.readCode(testCase.request, auth: testCase.auth) == testCase.expected?.rawValue ?? 0)
    }

    static let secretACL = [ACL(.read, .anyone), ACL(.all, TreeFixture.alice), ACL(.admin, TreeFixture.bob)]

    static func secretTree() throws -> TreeFixture {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/s", acl: secretACL))
        return fixture
    }

    @Test func getACLWithoutAdminMasksDigestHashes() throws {
        var fixture = try Self.secretTree()
        guard case .getACL(let acl, let stat) = try fixture.read(.getACL(PathRequest(path: "/s"))) else {
            Issue.record("not a getACL body")
            return
        }
        #expect(
            acl == [
                ACL(.read, .anyone), ACL(.all, Id(scheme: "digest", id: "alice:x")),
                ACL(.admin, Id(scheme: "digest", id: "bob:x")),
            ])
        #expect(stat == fixture.stat("/s"))
    }

    @Test(arguments: [TreeFixture.alice, TreeFixture.bob, TreeFixture.superUser])
    func getACLWithAdminShowsTheFullIds(identity: Id) throws {
        var fixture = try Self.secretTree()
        let body = try fixture.read(.getACL(PathRequest(path: "/s")), auth: [identity])
        #expect(body == .getACL(acl: Self.secretACL, stat: try #require(fixture.stat("/s"))))
    }

    @Test func getACLLeavesOtherSchemesUnmasked() throws {
        var fixture = TreeFixture()
        let acl = [ACL(.read, Id(scheme: "ip", id: "10.0.0.0/8")), ACL(.read, .anyone)]
        try fixture.write(Op.create("/n", acl: acl))
        #expect(
            try fixture.read(.getACL(PathRequest(path: "/n")))
                == .getACL(acl: acl, stat: try #require(fixture.stat("/n"))))
    }

    @Test func getChildrenListsNamesAndGetChildren2AddsTheStat() throws {
        var fixture = TreeFixture.standard()
        try fixture.write(Op.create("/a/c"))
        #expect(try fixture.read(Op.getChildren("/a")) == .getChildren(children: ["b", "c"]))
        let stat = try #require(fixture.stat("/a"))
        #expect(
            try fixture.read(.getChildren2(PathWatchRequest(path: "/a")))
                == .getChildren2(children: ["b", "c"], stat: stat))
    }

    @Test func getDataReturnsNullDataAsNull() throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/n", nil))
        #expect(try fixture.read(Op.getData("/n")) == .getData(data: nil, stat: try #require(fixture.stat("/n"))))
    }

    @Test(
        arguments: [
            ("/", ["/e1", "/x/e2", "/x/e3"]), ("", ["/e1", "/x/e2", "/x/e3"]), (" / ", ["/e1", "/x/e2", "/x/e3"]),
            ("/x", ["/x/e2", "/x/e3"]), ("/x/e", ["/x/e2", "/x/e3"]), ("/e", ["/e1"]), ("/nothing", []),
        ] as [(String, [String])])
    func getEphemeralsListsTheSessionsEphemeralsUnderAPrefix(prefix: String, expected: [String]) throws {
        var fixture = TreeFixture()
        try fixture.write(Op.create("/x"))
        for path in ["/e1", "/x/e2", "/x/e3"] { try fixture.write(Op.create(path, mode: .ephemeral)) }
        try fixture.write(Op.create("/x/theirs", mode: .ephemeral), session: TreeFixture.otherSession)
        guard case .getEphemerals(let paths) = try fixture.read(.getEphemerals(PathRequest(path: prefix))) else {
            Issue.record("not a getEphemerals body")
            return
        }
        // Listed in ZooKeeper's hash-set order; compared here as a set.
        #expect(paths.count == expected.count)
        #expect(Set(paths) == Set(expected))
    }

    @Test func multiReadAnswersEachOpOnItsOwn() throws {
        var fixture = TreeFixture.standard()
        let request = ClientRequest.multiRead(
            MultiRequest(operations: [
                .getData(PathWatchRequest(path: "/a")), .getData(PathWatchRequest(path: "/missing")),
                .getChildren(PathWatchRequest(path: "/a")), .getChildren(PathWatchRequest(path: "/alice")),
            ]))
        let stat = try #require(fixture.stat("/a"))
        #expect(
            try fixture.read(request)
                == .multi([
                    .getData(data: Array("a".utf8), stat: stat), .error(KeeperError.noNode.rawValue),
                    .getChildren(["b"]), .error(KeeperError.noAuth.rawValue),
                ]))
    }

    @Test func multiReadHoldingAWriteIsRefusedWhole() {
        var fixture = TreeFixture.standard()
        let request = ClientRequest.multiRead(
            MultiRequest(operations: [.getData(PathWatchRequest(path: "/a")), MultiOp.setData("/a")]))
        #expect(fixture.readCode(request) == KeeperError.marshallingError.rawValue)
    }

    /// ZooKeeper 3.8's checkWatches looks at the path's watch table, not only at the caller's watches.
    @Test func checkWatchesFindsAWatchOnThePath() throws {
        var fixture = TreeFixture.standard()
        _ = try fixture.read(Op.getData("/a", watch: true), watcher: 3)
        let data = ClientRequest.checkWatches(PathTypeRequest(path: "/a", type: WatcherType.data.rawValue))
        let children = ClientRequest.checkWatches(PathTypeRequest(path: "/a", type: WatcherType.children.rawValue))
        #expect(fixture.readCode(data, watcher: 3) == 0)
        #expect(fixture.readCode(children, watcher: 3) == KeeperError.noWatcher.rawValue)
    }
}
