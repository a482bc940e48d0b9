import Foundation

/// Runs CPU-bound simulation work on a thread of its own, so the test process's few cooperative threads stay free
/// for the suites that run real servers and clients at the same time (a starved client misses its pings).
enum DedicatedThread {
    static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
