import CEditLine
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The editor thread's state and loop. Only that thread touches it, and libedit's C callbacks reach it
/// through `activeEditor`.
final class EditorThread: @unchecked Sendable {
    private let wakeRead: Int32
    private let messages: NIOLockedValueBox<[LineEditor.Message]>
    private let historyPath: String?
    let completer: LineEditor.PathCompleter
    private var waitingLine: CheckedContinuation<String?, Never>?
    private var following: (@Sendable () -> Void)?
    /// Set by the line handler inside `rl_callback_read_char`: .some(nil) is end of input.
    var completedLine: String??

    init(
        wakeRead: Int32, messages: NIOLockedValueBox<[LineEditor.Message]>, historyPath: String?,
        completer: @escaping LineEditor.PathCompleter
    ) {
        self.wakeRead = wakeRead
        self.messages = messages
        self.historyPath = historyPath
        self.completer = completer
    }

    func run() {
        activeEditor = self
        aviary_rl_set_name("aviary-cli")
        // SIGINT belongs to the shell (it cancels the running command); libedit must not install handlers.
        aviary_rl_set_catch_signals(0)
        aviary_rl_set_completion(attemptCompletion)
        using_history()
        stifle_history(1000)
        if let historyPath { _ = read_history(historyPath) }
        while true {
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0), pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
            let watchesInput = waitingLine != nil || following != nil
            let ready = poll(&fds, watchesInput ? 2 : 1, -1)
            if ready < 0 { continue }  // EINTR
            if fds[0].revents != 0, !handleMessages() { return }
            if watchesInput, fds[1].revents != 0 {
                readInput()
                // A terminal that went away keeps reporting hang-up; end the input instead of spinning.
                if fds[1].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { endOfInput() }
            }
        }
    }

    /// Handles queued messages; false once shut down.
    private func handleMessages() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        let batch = messages.withLockedValue { queued in
            defer { queued.removeAll() }
            return queued
        }
        for message in batch {
            switch message {
            case .prompt(let prompt, let continuation):
                waitingLine = continuation
                rl_callback_handler_install(prompt, lineHandler)
            case .output(let text, let channel):
                print(text, to: channel)
            case .follow(let onEnd):
                following = onEnd
            case .endFollow:
                following = nil
            case .cancelLine:
                guard let continuation = waitingLine else { break }
                rl_callback_handler_remove()
                DescriptorWriter.write("\n", to: .standard)
                waitingLine = nil
                continuation.resume(returning: nil)
            case .shutdown(let continuation):
                if waitingLine != nil { rl_callback_handler_remove() }
                waitingLine?.resume(returning: nil)
                waitingLine = nil
                saveHistory()
                activeEditor = nil
                continuation.resume()
                return false
            }
        }
        return true
    }

    private func readInput() {
        if waitingLine != nil {
            rl_callback_read_char()
            guard let line = completedLine else { return }
            completedLine = nil
            rl_callback_handler_remove()
            if let text = line, !text.allSatisfy(\.isWhitespace) {
                add_history(text)
                saveHistory()
            }
            let continuation = waitingLine
            waitingLine = nil
            continuation?.resume(returning: line)
        } else if let onEnd = following {
            // The terminal is in its normal (cooked) mode here: a read of 0 bytes is Ctrl-D. Anything
            // typed meanwhile is discarded, as the command does not read input.
            var buffer = [UInt8](repeating: 0, count: 256)
            if read(0, &buffer, buffer.count) <= 0 {
                following = nil
                onEnd()
            }
        }
    }

    private func endOfInput() {
        if let continuation = waitingLine {
            rl_callback_handler_remove()
            waitingLine = nil
            continuation.resume(returning: nil)
        }
        if let onEnd = following {
            following = nil
            onEnd()
        }
    }

    /// Prints `text`; with a prompt on screen, on a cleared line, then redraws the prompt and the input.
    private func print(_ text: String, to channel: OutputChannel) {
        guard waitingLine != nil else {
            DescriptorWriter.write(text, to: channel)
            return
        }
        DescriptorWriter.write("\r\u{1B}[K", to: .standard)
        DescriptorWriter.write(text.hasSuffix("\n") ? text : text + "\n", to: channel)
        rl_forced_update_display()
    }

    private func saveHistory() {
        if let historyPath { _ = write_history(historyPath) }
    }
}

/// The editor whose thread is running libedit; libedit's callbacks are plain C functions without context.
nonisolated(unsafe) private var activeEditor: EditorThread?

private func lineHandler(_ line: UnsafeMutablePointer<CChar>?) {
    let text = line.map { String(cString: $0) }
    free(line)
    activeEditor?.completedLine = .some(text)
}

/// libedit's completion hook: command names for the first word, znode paths for words starting with "/".
/// Returns a malloc'd, NULL-terminated array whose first entry replaces the word being completed (the
/// common prefix of all matches), or NULL for no match.
private func attemptCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    // Never fall back to libedit's file name completion: local files mean nothing here.
    aviary_rl_set_completion_over(1)
    guard let text, let editor = activeEditor else { return nil }
    let word = String(cString: text)
    let before = aviary_rl_line_buffer().map { String(cString: $0).utf8.prefix(Int(start)) }
    let isFirstWord = before.map { $0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } } ?? true
    let matches: [String]
    if isFirstWord {
        matches = PathCompletion.commands(prefix: word)
        aviary_rl_set_append_character(Int32(UInt8(ascii: " ")))
    } else if word.hasPrefix("/") {
        matches = editor.completer(word)
        // A path may go on below the completed node, so no space is added after it.
        aviary_rl_set_append_character(0)
    } else {
        matches = []
    }
    guard !matches.isEmpty else { return nil }
    // libedit reads entry 2 to tell a single match from several, so a single match is given twice (the
    // replacement and the match) and the array ends in two NULLs.
    let entries = [PathCompletion.commonPrefix(matches)] + matches
    // libedit frees the array and its strings with free(), so both come from malloc.
    let slot = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride
    guard let memory = malloc(slot * (entries.count + 2)) else { return nil }
    let array = memory.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: entries.count + 2)
    for (index, entry) in entries.enumerated() {
        array[index] = strdup(entry)
    }
    array[entries.count] = nil
    array[entries.count + 1] = nil
    return array
}
