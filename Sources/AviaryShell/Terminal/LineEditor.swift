import Dispatch
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interactive terminal: line editing, history and tab completion from libedit, and output that never
/// garbles the line being typed.
///
/// libedit is not thread-safe and its line reading blocks, so one dedicated thread (the editor thread) owns
/// it and the terminal. It uses libedit's readline-compatible callback interface: the thread polls standard
/// input and a wake-up pipe, feeds libedit one character at a time (`rl_callback_read_char`), and between
/// characters handles messages from other tasks. Output that arrives while a prompt is shown (a watch event,
/// say) is printed on a cleared line, and libedit then redraws the prompt with the partly typed input
/// (`rl_forced_update_display`), which is how readline programs print asynchronously.
///
/// Everything else talks to the thread through `post`, so the class itself is safe to share.
public final class LineEditor: ShellOutput {
    /// Blocking path completion, called on the editor thread while the user waits.
    public typealias PathCompleter = @Sendable (String) -> [String]

    enum Message {
        case prompt(String, CheckedContinuation<String?, Never>)
        case output(String, OutputChannel)
        /// Read standard input without editing while a command runs; call back at end of input.
        case follow(@Sendable () -> Void)
        case endFollow
        /// Ends the line being typed as if at end of input (Ctrl-C at the prompt).
        case cancelLine
        case shutdown(CheckedContinuation<Void, Never>)
    }

    private let messages = NIOLockedValueBox<[Message]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let historyPath: String?
    private let completer: PathCompleter

    /// - Parameters:
    ///   - historyPath: where history is loaded from and saved to after every line; nil keeps none.
    ///   - completer: completes an absolute znode path (see `PathCompletion`).
    public init(historyPath: String?, completer: @escaping PathCompleter) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        self.historyPath = historyPath
        self.completer = completer
    }

    /// Starts the editor thread. Call once.
    public func start() {
        let thread = EditorThread(
            wakeRead: wakeRead, messages: messages, historyPath: historyPath, completer: completer)
        DispatchQueue(label: "aviary-cli.editor").async { thread.run() }
    }

    /// Shows `prompt` and returns the line typed (without its newline), or nil at end of input (Ctrl-D).
    public func readLine(prompt: String) async -> String? {
        await withCheckedContinuation { post(.prompt(prompt, $0)) }
    }

    public func write(_ text: String, to channel: OutputChannel) {
        post(.output(text, channel))
    }

    /// While a long command runs (`members`), watches standard input for its end and calls `onEnd` then.
    public func follow(onEnd: @escaping @Sendable () -> Void) { post(.follow(onEnd)) }

    public func endFollow() { post(.endFollow) }

    /// Makes a pending `readLine` return nil, as at end of input.
    public func cancelLine() { post(.cancelLine) }

    /// Saves history, gives the terminal back in its normal mode and stops the thread.
    public func shutdown() async {
        await withCheckedContinuation { post(.shutdown($0)) }
        close(wakeWrite)
    }

    private func post(_ message: Message) {
        messages.withLockedValue { $0.append(message) }
        // A full pipe already holds a pending wake-up; losing this byte loses nothing.
        writeWakeUp(wakeWrite)
    }
}

private func writeWakeUp(_ descriptor: Int32) {
    var byte: UInt8 = 1
    _ = write(descriptor, &byte, 1)
}
