import Foundation

/// Runs CPU-bound simulation work on a thread of its own, one simulation at a time across all suites, so the test
/// process's few cooperative threads and at least one core stay free for the suites that run real servers and
/// clients meanwhile (a starved client misses its pings and its session expires).
enum DedicatedThread {
    private static let oneAtATime = NSLock()

    static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                oneAtATime.lock()
                let result = body()
                oneAtATime.unlock()
                continuation.resume(returning: result)
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
