import AviaryClient
import AviaryShell
import Testing

struct CommandParsingTests {
    private func parse(_ line: String) throws(ShellError) -> ShellCommand {
        try ShellCommand.parse(CommandTokenizer.words(line))
    }

    @Test func flagsMayFollowThePathAsInCommonsCli() throws {
        #expect(try parse("removewatches /a -d") == .removeWatches(path: "/a", type: .data))
        #expect(try parse("removewatches /a") == .removeWatches(path: "/a", type: .any))
        #expect(try parse("ls /a -s -w") == .ls(path: "/a", stat: true, watch: true, recursive: false))
    }

    @Test func valueFlagsTakeTheNextWordOrTheirOwnRest() throws {
        #expect(try parse("set -v 3 /a x") == .set(path: "/a", data: Array("x".utf8), version: 3, stat: false))
        #expect(try parse("delete -v7 /a") == .delete(path: "/a", version: 7))
    }

    @Test func doubleDashEndsFlagsSoDataMayStartWithADash() throws {
        #expect(try parse("set /a -- -1") == .set(path: "/a", data: Array("-1".utf8), version: -1, stat: false))
    }

    @Test func groupedFlagsAreSplit() throws {
        guard case .create(_, _, _, let mode, _) = try parse("create -es /a/b-") else {
            Issue.record("not a create")
            return
        }
        #expect(mode == .ephemeralSequential)
    }

    @Test(arguments: [
        ("create /a", CreateMode.persistent, nil as Int64?),
        ("create -e /a", .ephemeral, nil),
        ("create -s /a", .persistentSequential, nil),
        ("create -e -s /a", .ephemeralSequential, nil),
        ("create -c /a", .container, nil),
        ("create -t 500 /a", .persistentWithTTL, 500),
        ("create -s -t 500 /a", .persistentSequentialWithTTL, 500),
    ])
    func createFlagsChooseTheMode(line: String, mode: CreateMode, ttl: Int64?) throws {
        #expect(try parse(line) == .create(path: "/a", data: [], acl: nil, mode: mode, ttlMillis: ttl))
    }

    @Test func createTakesDataAndACL() throws {
        let command = try parse("create /a hello digest:bob:xyz:r,world:anyone:cdrwa")
        let acl = [ACL(.read, Id(scheme: "digest", id: "bob:xyz")), ACL(.all, .anyone)]
        #expect(command == .create(path: "/a", data: Array("hello".utf8), acl: acl, mode: .persistent, ttlMillis: nil))
    }

    @Test(arguments: [
        "create -c -e /a", "create -t 10 -e /a", "create -t x /a", "create -t 10 -c /a", "create",
        "ls", "ls -z /", "set /a", "delete -v", "redo x", "addWatch -m BOGUS /a", "members -n 0 /g",
    ])
    func malformedCommandsAreUsageErrors(line: String) {
        #expect(throws: ShellError.self) { try parse(line) }
        do {
            _ = try parse(line)
        } catch {
            #expect(error.status == ExitStatus.usage)
        }
    }

    @Test func unknownCommandPrintsUsageAndExits64() {
        do {
            _ = try parse("frobnicate /a")
            Issue.record("parsed")
        } catch {
            #expect(error.status == 64)
            #expect(error.message.hasSuffix("Command not found: frobnicate"))
            #expect(error.message.contains("\tls [-s] [-w] [-R] path"))
        }
    }

    @Test func addWatchDefaultsToPersistentRecursive() throws {
        #expect(try parse("addWatch /a") == .addWatch(path: "/a", mode: .persistentRecursive))
        #expect(try parse("addWatch -m PERSISTENT /a") == .addWatch(path: "/a", mode: .persistent))
    }

    @Test func shellCommandsNeedNoSession() throws {
        #expect(try !parse("history").needsSession)
        #expect(try !parse("printwatches off").needsSession)
        #expect(try parse("printwatches off") == .printWatches(false))
        #expect(try parse("getEphemerals") == .getEphemerals(path: "/"))
        #expect(try parse("members -n 2 /groups/g") == .members(path: "/groups/g", limit: 2))
    }
}
