import Dispatch

/// Lines from standard input when it is not a terminal (a script piped in): no editing, no prompt. Reading
/// blocks, so it happens on a queue of its own rather than on the tasks' shared threads.
public final class PlainLineReader: Sendable {
    private let queue = DispatchQueue(label: "aviary-cli.stdin")

    public init() {}

    /// The next line without its newline, or nil at end of input.
    public func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
        }
    }
}
