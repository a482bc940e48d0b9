import NIOCore

/// Runs Swift tasks on one NIO event loop. A task that prefers the executor of the client it talks to resumes
/// from a reply on the thread that received it, in the same loop turn, instead of waking a thread of the global
/// pool for every reply.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
