import NIOCore

/// Where a cancellable wait stands; lives on the future's event loop.
private enum WaitState<Value: Sendable> {
    case cancelled
    case waiting(CheckedContinuation<Value, any Error>)
    case finished
}

extension EventLoopFuture where Value: Sendable {
    /// Waits for the future like `get()`, but gives up early: with `CancellationError` when the waiting task
    /// is cancelled, or with `ZooKeeperError(.operationTimeout)` after `timeout`. The future itself is left
    /// alone (a watch stays armed; another waiter may still see it complete).
    ///
    /// Every step runs on the future's event loop, so cancellation, timeout and completion race safely: the
    /// first to arrive resumes the continuation, the others find it finished.
    func valueCancellable(timeout: TimeAmount? = nil) async throws -> Value {
        let loop = eventLoop
        let box = NIOLoopBoundBox.makeEmptyBox(valueType: WaitState<Value>.self, eventLoop: loop)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                loop.execute {
                    if case .cancelled = box.value {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    box.value = .waiting(continuation)
                    var timer: Scheduled<Void>?
                    if let timeout {
                        timer = loop.scheduleTask(in: timeout) {
                            finishWait(box, with: .failure(ZooKeeperError(.operationTimeout, detail: "wait timed out")))
                        }
                    }
                    self.whenComplete { [timer] result in
                        timer?.cancel()
                        finishWait(box, with: result)
                    }
                }
            }
        } onCancel: {
            loop.execute {
                switch box.value {
                case .none: box.value = .cancelled
                case .waiting: finishWait(box, with: .failure(CancellationError()))
                case .cancelled, .finished: break
                }
            }
        }
    }
}

private func finishWait<Value: Sendable>(
    _ box: NIOLoopBoundBox<WaitState<Value>?>, with result: Result<Value, any Error>
) {
    guard case .waiting(let continuation) = box.value else { return }
    box.value = .finished
    continuation.resume(with: result)
}
