import Dispatch
import NIOConcurrencyHelpers

/// Lets the editor thread, which must answer libedit synchronously, ask the async session for path
/// completions: it starts the query and waits at most `timeout`, so a slow server costs a short pause at
/// the Tab key, never a hung terminal.
final class SessionBox: Sendable {
    private let stored = NIOLockedValueBox<ShellSession?>(nil)
    let timeout: DispatchTimeInterval

    init(timeout: DispatchTimeInterval = .seconds(2)) {
        self.timeout = timeout
    }

    var session: ShellSession? {
        get { stored.withLockedValue { $0 } }
        set { stored.withLockedValue { $0 = newValue } }
    }

    func completePath(_ text: String) -> [String] {
        guard let session else { return [] }
        let result = NIOLockedValueBox<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let query = Task {
            let candidates = await session.pathCompletions(for: text)
            result.withLockedValue { $0 = candidates }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            query.cancel()
            return []
        }
        return result.withLockedValue { $0 }
    }
}
