import AviaryClient
import AviaryShell
import Testing

struct ErrorAndCompletionTests {
    @Test(arguments: [
        (KeeperError.noNode, "Node does not exist: /p", Int32(101)),
        (.nodeExists, "Node already exists: /p", 110),
        (.notEmpty, "Node not empty: /p", 111),
        (.badVersion, "version No is not valid : /p", 103),
        (.noAuth, "Insufficient permission : /p", 102),
        (.invalidACL, "Acl is not valid : /p", 114),
        (.noChildrenForEphemerals, "Ephemerals cannot have children: /p", 108),
        (.noWatcher, "KeeperErrorCode = No such watcher for /p", 121),
        (.connectionLoss, "KeeperErrorCode = ConnectionLoss for /p", 4),
        (.sessionExpired, "KeeperErrorCode = Session expired for /p", 112),
    ])
    func keeperErrorsAreWordedAsZkCliWordsThem(code: KeeperError, message: String, status: Int32) {
        let error = ShellError(ZooKeeperError(code, path: "/p"))
        #expect(error.message == message)
        #expect(error.status == status)
    }

    @Test func everyKeeperCodeHasItsOwnStatusAwayFromUsage() {
        let statuses = KeeperError.allCases.map(ExitStatus.status(for:))
        #expect(Set(statuses).count == KeeperError.allCases.count)
        #expect(!statuses.contains(ExitStatus.usage))
        #expect(!statuses.contains(0))
    }

    @Test(arguments: [
        ("/a/b/fo", "/a/b", "fo"), ("/a/", "/a", ""), ("/fo", "/", "fo"), ("/", "/", ""),
    ])
    func pathsSplitIntoParentAndPrefix(text: String, parent: String, prefix: String) throws {
        let split = try #require(PathCompletion.split(text))
        #expect(split.parent == parent)
        #expect(split.prefix == prefix)
    }

    @Test func relativeTextIsNotCompleted() {
        #expect(PathCompletion.split("abc") == nil)
        #expect(PathCompletion.split("") == nil)
    }

    @Test func candidatesAreFullSortedPaths() {
        #expect(PathCompletion.candidates(parent: "/", prefix: "z", children: ["zoo", "a", "zebra"]) == ["/zebra", "/zoo"])
        #expect(PathCompletion.candidates(parent: "/a", prefix: "", children: ["y", "x"]) == ["/a/x", "/a/y"])
    }

    @Test func commandsCompleteByPrefix() {
        #expect(PathCompletion.commands(prefix: "getA") == ["getAcl", "getAllChildrenNumber"])
        #expect(PathCompletion.commonPrefix(["getAcl", "getAllChildrenNumber"]) == "getA")
        #expect(PathCompletion.commonPrefix(["ls"]) == "ls")
    }
}
