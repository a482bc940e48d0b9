import Dispatch
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Routes Ctrl-C (SIGINT) and SIGTERM to whatever the shell is doing: cancel the running command, or leave
/// the prompt. Without a handler set, the signal ends the process as usual.
///
/// `@unchecked Sendable`: `sources` only keeps the dispatch sources alive; it is written by `install`, under
/// `lock`, and never read.
public final class InterruptHandler: @unchecked Sendable {
    private let action = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
    private let lock = NIOLock()
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// Starts catching the signals. The default action (exit) stays in force while no handler is set.
    public func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            // The dispatch source sees the signal only if the default action does not kill us first.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [action] in
                if let handler = action.withLockedValue({ $0 }) {
                    handler()
                } else {
                    exit(ExitStatus.interrupted)
                }
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    /// Runs `handler` on the next signal instead of exiting; nil restores exiting.
    public func onInterrupt(_ handler: (@Sendable () -> Void)?) {
        action.withLockedValue { $0 = handler }
    }
}
