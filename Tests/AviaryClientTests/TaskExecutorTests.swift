@testable import AviaryClient
import NIOCore
import Testing

/// Tasks that prefer a client's executor run on its session's thread and resume there after each reply.
@Suite(.aviaryServer, .timeLimit(.minutes(2)))
struct TaskExecutorTests {
    @Test func tasksPreferringTheClientsExecutorResumeOnItsThreadWithTheirReplies() async throws {
        try await withClient { (zk) async throws -> Void in
            let root = uniquePath("executor")
            try await zk.create(root)
            let outcomes = try await withThrowingTaskGroup(of: (onSessionThread: Bool, version: Int32).self) { group in
                for index in 0..<8 {
                    group.addTask(executorPreference: zk.taskExecutor) {
                        let path = try await zk.create("\(root)/n\(index)", data: [UInt8(index)])
                        let afterCreate = zk.eventLoop.inEventLoop
                        let stat = try await zk.setData(path, data: [UInt8(index), 1])
                        return (afterCreate && zk.eventLoop.inEventLoop, stat.version)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 8)
            #expect(outcomes.allSatisfy { $0.onSessionThread && $0.version == 1 })
            #expect(try await zk.getChildren(root).count == 8)
        }
    }
}
