import AviaryClient
import Testing

@Suite(.aviaryServer, .timeLimit(.minutes(2)))
struct MultiAndACLTests {
    @Test func multiAppliesEverythingAtOnce() async throws {
        try await withClient { (zk) async throws -> Void in
            let root = uniquePath("multi")
            try await zk.create(root, data: [0])
            let results = try await zk.multi([
                .create(path: "\(root)/a", data: [1]),
                .create(path: "\(root)/s-", mode: .persistentSequential),
                .setData(path: root, data: [2], version: 0),
                .check(path: "\(root)/a", version: 0),
                .delete(path: "\(root)/a"),
            ])
            #expect(results.count == 5)
            #expect(results[0] == .created(path: "\(root)/a", stat: nil))
            #expect(results[1] == .created(path: "\(root)/s-0000000001", stat: nil))
            guard case .dataSet(let stat) = results[2] else { throw TestFailure("no stat for setData") }
            #expect(stat.version == 1)
            #expect(results[3] == .checked)
            #expect(results[4] == .deleted)
        }
    }

    @Test func failedMultiAppliesNothingAndSaysWhichOperationFailed() async throws {
        try await withClient { (zk) async throws -> Void in
            let root = uniquePath("multi-fail")
            try await zk.create(root)
            let error = await expectError(.badVersion) {
                try await zk.multi([
                    .create(path: "\(root)/a"),
                    .check(path: root, version: 5),
                    .delete(path: root),
                ])
            }
            #expect(error?.results == [.rolledBack, .failed(.badVersion), .failed(.runtimeInconsistency)])
            #expect(try await zk.exists("\(root)/a") == nil)
        }
    }

    @Test func digestACLKeepsOutOtherSessionsUntilTheyAuthenticate() async throws {
        let path = uniquePath("acl")
        try await withClient { (owner) async throws -> Void in
            try await owner.addDigestAuth(user: "alice", password: "secret")
            #expect(try await owner.whoAmI().contains(ClientInfo(authScheme: "digest", user: "alice")))
            try await owner.create(path, data: [1], acl: ACL.creatorAll)
            let (acl, _) = try await owner.getACL(path)
            #expect(acl.count == 1)
            #expect(acl.first?.id.scheme == "digest")
            #expect(acl.first?.id.id.hasPrefix("alice:") == true)

            try await withClient { (stranger) async throws -> Void in
                await expectError(.noAuth) { try await stranger.getData(path) }
                try await stranger.addDigestAuth(user: "alice", password: "secret")
                #expect(try await stranger.getData(path).data == [1])
            }

            await expectError(.badVersion) { try await owner.setACL(path, acl: ACL.readUnsafe, version: 3) }
            try await owner.setACL(path, acl: ACL.readUnsafe, version: 0)
            await expectError(.noAuth) { try await owner.setData(path, data: [2]) }
            // Without ADMIN even the creator cannot change the ACL back.
            await expectError(.noAuth) { try await owner.setACL(path, acl: ACL.openUnsafe) }
            #expect(try await owner.getACL(path).stat.aversion == 1)
        }
    }

    @Test func refusedCredentialsEndTheSession() async throws {
        let server = try suiteServer
        try await withDeadline {
            let zk = try await ZooKeeperClient.connectForTest(server.connectString)
            let states = zk.sessionStates()
            await expectError(.authFailed) { try await zk.addAuth(scheme: "no-such-scheme", credentials: [1]) }
            var seen: [SessionState] = []
            for await state in states { seen.append(state) }
            #expect(seen == [.connected, .authFailed])
            await expectError(.authFailed) { try await zk.exists("/") }
            await zk.close()
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
