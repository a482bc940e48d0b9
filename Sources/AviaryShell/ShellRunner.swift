import AviaryClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `aviary-cli` does, in three modes:
///
/// - **one command** (`aviary-cli -server h:p ls /`): connect, run it, print, exit with its `ExitStatus`;
/// - **a script** (standard input is not a terminal): one command per line, no prompt; the exit status is
///   the last command's, and `stopOnError` stops at the first failing command (as `sh -e`);
/// - **interactive**: a prompt with line editing, history and completion (`LineEditor`).
public struct ShellRunner: Sendable {
    public struct Options: Sendable {
        public var server: String
        public var sessionTimeoutMillis: Int
        public var stopOnError: Bool
        /// The command to run, as words; empty for a script or an interactive shell.
        public var command: [String]
        /// Interactive history file; nil keeps none.
        public var historyPath: String?
        /// Connect over TLS.
        public var tls: ClientTLS?

        public init(
            server: String, sessionTimeoutMillis: Int = 30_000, stopOnError: Bool = false, command: [String] = [],
            historyPath: String? = nil, tls: ClientTLS? = nil
        ) {
            self.server = server
            self.sessionTimeoutMillis = sessionTimeoutMillis
            self.stopOnError = stopOnError
            self.command = command
            self.historyPath = historyPath
            self.tls = tls
        }
    }

    public var options: Options

    public init(options: Options) {
        self.options = options
    }

    /// The history file: `AVIARY_CLI_HISTORY` if set (empty: none), else `~/.aviary_cli_history`.
    public static func defaultHistoryPath() -> String? {
        if let path = getenv("AVIARY_CLI_HISTORY").map({ String(cString: $0) }) { return path.isEmpty ? nil : path }
        guard let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty else { return nil }
        return home + "/.aviary_cli_history"
    }

    /// Runs the shell and returns the process's exit status.
    public func run() async -> Int32 {
        let interrupts = InterruptHandler()
        interrupts.install()
        if !options.command.isEmpty { return await runOneCommand(interrupts) }
        if isatty(0) == 0 { return await runScript(interrupts) }
        return await runInteractive(interrupts)
    }

    private func sessionOptions(interactive: Bool) -> ShellSession.Options {
        ShellSession.Options(
            server: options.server, sessionTimeoutMillis: options.sessionTimeoutMillis,
            reportsSessionEvents: interactive, tls: options.tls)
    }

    private func runOneCommand(_ interrupts: InterruptHandler) async -> Int32 {
        let output = StandardStreams()
        let command: ShellCommand
        do throws(ShellError) {
            // A malformed command fails before connecting: fast, and the same with no server around.
            command = try ShellCommand.parse(options.command)
        } catch {
            output.errorLine(error.message)
            return error.status
        }
        let session = ShellSession(options: sessionOptions(interactive: false), output: output)
        if command.needsSession {
            do throws(ShellError) {
                try await session.connect()
            } catch {
                output.errorLine(error.message)
                return error.status
            }
        }
        let words = options.command
        let task = Task { await session.run(words: words) }
        interrupts.onInterrupt { task.cancel() }
        let status = await task.value
        interrupts.onInterrupt(nil)
        await session.closeSession()
        return status
    }

    private func runScript(_ interrupts: InterruptHandler) async -> Int32 {
        let output = StandardStreams()
        let session = ShellSession(options: sessionOptions(interactive: false), output: output)
        do throws(ShellError) {
            try await session.connect()
        } catch {
            output.errorLine(error.message)
            return error.status
        }
        let input = PlainLineReader()
        var status = ExitStatus.success
        while let line = await input.readLine() {
            let task = Task { await session.run(line: line) }
            interrupts.onInterrupt { task.cancel() }
            status = await task.value
            interrupts.onInterrupt(nil)
            if await session.hasQuit || (options.stopOnError && status != ExitStatus.success) { break }
        }
        await session.closeSession()
        return status
    }

    private func runInteractive(_ interrupts: InterruptHandler) async -> Int32 {
        let box = SessionBox()
        let editor = LineEditor(historyPath: options.historyPath) { text in box.completePath(text) }
        let session = ShellSession(options: sessionOptions(interactive: true), output: editor)
        box.session = session
        editor.start()
        editor.line("Connecting to \(options.server)")
        do throws(ShellError) {
            try await session.connect()
        } catch {
            // Stay: the user may `connect` elsewhere, as in zkCli.
            editor.errorLine(error.message)
        }
        var status = ExitStatus.success
        while true {
            // Ctrl-C at the prompt leaves the shell, as in zkCli.
            interrupts.onInterrupt { editor.cancelLine() }
            guard let line = await editor.readLine(prompt: await session.prompt()) else { break }
            let following = CommandTokenizer.words(line).first == "members"
            let task = Task { await session.run(line: line) }
            interrupts.onInterrupt {
                // The terminal echoed ^C; the next output starts on a line of its own.
                editor.write("\n", to: .standard)
                task.cancel()
            }
            if following { editor.follow { task.cancel() } }
            status = await task.value
            if following { editor.endFollow() }
            if await session.hasQuit { break }
        }
        interrupts.onInterrupt(nil)
        await session.closeSession()
        await editor.shutdown()
        return status
    }
}
