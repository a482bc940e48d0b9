import NIOConcurrencyHelpers

/// Where a stream of shell output goes: results and data to standard output, errors to standard error.
public enum OutputChannel: Sendable, Hashable {
    case standard
    case error
}

/// The shell's output. Watch events arrive on other tasks while a command prints, so implementations must
/// write each piece whole.
public protocol ShellOutput: Sendable {
    func write(_ text: String, to channel: OutputChannel)
}

extension ShellOutput {
    func line(_ text: String) { write(text + "\n", to: .standard) }
    func lines(_ texts: [String]) {
        guard !texts.isEmpty else { return }
        write(texts.joined(separator: "\n") + "\n", to: .standard)
    }
    func errorLine(_ text: String) { write(text + "\n", to: .error) }
}

/// The process's standard output and error, each write unbuffered so that output interleaves in the
/// order it was produced even when both go to one terminal or file.
public final class StandardStreams: ShellOutput {
    private let lock = NIOLock()

    public init() {}

    public func write(_ text: String, to channel: OutputChannel) {
        lock.withLock { DescriptorWriter.write(text, to: channel) }
    }
}

/// Output collected in memory, for tests and for callers that print it themselves.
public final class RecordedOutput: ShellOutput {
    private let recorded = NIOLockedValueBox<[(OutputChannel, String)]>([])

    public init() {}

    public func write(_ text: String, to channel: OutputChannel) {
        recorded.withLockedValue { $0.append((channel, text)) }
    }

    public var standard: String { text(of: .standard) }
    public var error: String { text(of: .error) }

    public func clear() { recorded.withLockedValue { $0.removeAll() } }

    private func text(of channel: OutputChannel) -> String {
        recorded.withLockedValue { $0.filter { $0.0 == channel }.map(\.1).joined() }
    }
}
