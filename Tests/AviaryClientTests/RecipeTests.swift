import AviaryClient
import Testing

@Suite(.aviaryServer, .timeLimit(.minutes(2)))
struct RecipeTests {
    @Test func membershipFollowsJoinsLeavesAndDeaths() async throws {
        let server = try suiteServer
        let proxy = try await TCPProxy.start(targetPort: server.port)
        defer { Task { await proxy.stop() } }
        let root = uniquePath("groups")
        try await withClient { (observer) async throws -> Void in
            let groups = GroupMembership(client: observer, root: root)
            var lists = groups.members(of: "workers").makeAsyncIterator()
            #expect(try await lists.next() == [])

            let alice = try await ZooKeeperClient.connectForTest(server.connectString)
            let bob = try await ZooKeeperClient.connectForTest(server.connectString)
            // Dave reaches the server only through the proxy, so he can be made to vanish.
            let dave = try await ZooKeeperClient.connectForTest(proxy.connectString, sessionTimeout: .seconds(1))

            try await GroupMembership(client: alice, root: root).join(group: "workers", member: "alice")
            #expect(try await next(&lists, until: ["alice"]))
            try await GroupMembership(client: bob, root: root).join(group: "workers", member: "bob", data: [1])
            try await GroupMembership(client: bob, root: root).join(group: "workers", member: "bob", data: [1])
            try await GroupMembership(client: dave, root: root).join(group: "workers", member: "dave")
            #expect(try await next(&lists, until: ["alice", "bob", "dave"]))
            await expectError(.nodeExists) {
                try await GroupMembership(client: alice, root: root).join(group: "workers", member: "bob")
            }

            try await GroupMembership(client: bob, root: root).leave(group: "workers", member: "bob")
            #expect(try await next(&lists, until: ["alice", "dave"]))

            // Dave's process hangs: his session expires and the others see him go.
            try await proxy.refuseNewConnections(true)
            try await proxy.cut()
            #expect(try await next(&lists, until: ["alice"]))
            #expect(try await groups.currentMembers(of: "workers") == ["alice"])

            await alice.close()
            #expect(try await next(&lists, until: []))
            await bob.close()
            await dave.close()
        }
    }

    @Test func leaderLatchHandsOverInOrder() async throws {
        let server = try suiteServer
        let path = uniquePath("election")
        try await withDeadline(60) {
            let clients = [
                try await ZooKeeperClient.connectForTest(server.connectString),
                try await ZooKeeperClient.connectForTest(server.connectString),
                try await ZooKeeperClient.connectForTest(server.connectString),
            ]
            let latches = clients.enumerated().map { LeaderLatch(client: $1, path: path, participantID: "p\($0)") }
            try await latches[0].becomeLeader(timeout: .seconds(5))
            #expect(await latches[0].isLeader)

            let second = Task { try await latches[1].becomeLeader() }
            #expect(try await eventually { try await latches[0].participants() == ["p0", "p1"] })
            let third = Task { try await latches[2].becomeLeader() }
            #expect(try await eventually { try await latches[0].participants() == ["p0", "p1", "p2"] })
            #expect(await !latches[1].isLeader)
            await expectError(.operationTimeout) { try await latches[2].becomeLeader(timeout: .milliseconds(200)) }

            // The leader steps down: the next in line, and only it, takes over.
            try await latches[0].close()
            try await second.value
            #expect(await latches[1].isLeader)
            #expect(await !latches[0].isLeader)
            #expect(await !latches[2].isLeader)

            // The new leader's session ends: the last participant takes over.
            await clients[1].close()
            try await third.value
            #expect(await latches[2].isLeader)
            #expect(try await latches[2].participants() == ["p2"])
            for client in clients { await client.close() }
        }
    }

    @Test func lockExcludesConcurrentHolders() async throws {
        let server = try suiteServer
        let path = uniquePath("lock")
        try await withDeadline(60) {
            let clients = [
                try await ZooKeeperClient.connectForTest(server.connectString),
                try await ZooKeeperClient.connectForTest(server.connectString),
            ]
            let tracker = Occupancy()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    let lock = DistributedLock(client: clients[index % 2], path: path, data: Array("t\(index)".utf8))
                    group.addTask {
                        try await lock.withLock(timeout: .seconds(30)) {
                            await tracker.enter()
                            try await Task.sleep(for: .milliseconds(30))
                            await tracker.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await tracker.entries == 6)
            #expect(await tracker.mostInside == 1)

            // While one holds the lock, another times out and leaves no node behind.
            let holder = DistributedLock(client: clients[0], path: path)
            try await holder.acquire()
            #expect(await holder.isAcquired)
            let waiter = DistributedLock(client: clients[1], path: path)
            await expectError(.operationTimeout) { try await waiter.acquire(timeout: .milliseconds(300)) }
            #expect(try await clients[1].getChildren(path).count == 1)
            try await holder.release()
            try await waiter.acquire(timeout: .seconds(5))
            try await waiter.release()
            #expect(try await clients[1].getChildren(path).isEmpty)
            for client in clients { await client.close() }
        }
    }
}

/// Reads member lists until `expected` comes (lists may coalesce when changes come quickly), within 15 s.
private func next(_ iterator: inout GroupMembers.Iterator, until expected: [String]) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(15)
    while ContinuousClock.now < deadline {
        guard let members = try await iterator.next() else { return false }
        if members == expected { return true }
    }
    return false
}

/// Counts how many tasks are inside the critical section at once.
private actor Occupancy {
    private(set) var entries = 0
    private(set) var mostInside = 0
    private var inside = 0

    func enter() {
        entries += 1
        inside += 1
        mostInside = max(mostInside, inside)
    }

    func leave() {
        inside -= 1
    }
}
