import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A serial queue of background jobs on a thread of its own that runs at a lower scheduling priority than the
/// threads serving requests: on a busy machine a snapshot takes the CPU requests leave, and finishes later
/// rather than slowing them. (Dispatch's quality-of-service classes do not change thread priorities on Linux.)
final class BackgroundWorker: @unchecked Sendable {
    /// Added to the thread's nice value: weight 335 against 1024, about a quarter of a contended core.
    static let niceness: Int32 = 5

    private let condition = ConditionLock<Bool>(value: false)
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func async(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.unlock(withValue: true)
    }

    /// Waits until every job queued before this call has run.
    func drain() {
        let done = ConditionLock<Bool>(value: false)
        async {
            done.lock()
            done.unlock(withValue: true)
        }
        done.lock(whenValue: true)
        done.unlock()
    }

    private func run() {
        #if canImport(Glibc)
        // On Linux the nice value belongs to the thread, and 0 names the calling one. A thread may always lower
        // its own priority; should it fail, jobs run at normal priority.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #endif
        while true {
            condition.lock(whenValue: true)
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock(withValue: false)
            for job in batch { job() }
        }
    }
}
