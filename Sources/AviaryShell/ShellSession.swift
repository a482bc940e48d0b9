import AviaryClient
import NIOConcurrencyHelpers

/// The shell's state and the execution of its commands: one ZooKeeper session (replaced by `connect`, ended
/// by `close`), the command history of `history` and `redo`, and the tasks that print watch events.
///
/// Output follows zkCli.sh 3.8 line for line, with one deliberate difference: `create`'s "Created /path"
/// goes to standard output rather than standard error, so a script can capture a sequential node's name.
/// Errors go to standard error, worded as zkCli words them; each command returns an `ExitStatus`.
public actor ShellSession {
    public struct Options: Sendable {
        /// The connection string, `host:port[,host:port...][/chroot]`.
        public var server: String
        public var sessionTimeoutMillis: Int
        /// Print session state changes (disconnected, reconnected, expired) as they happen, as an
        /// interactive zkCli does; off for scripts, whose output should hold only what they asked for.
        public var reportsSessionEvents: Bool
        /// Connect over TLS (a server's `secureClientPort`).
        public var tls: ClientTLS?

        public init(
            server: String, sessionTimeoutMillis: Int = 30_000, reportsSessionEvents: Bool = false, tls: ClientTLS? = nil
        ) {
            self.server = server
            self.sessionTimeoutMillis = sessionTimeoutMillis
            self.reportsSessionEvents = reportsSessionEvents
            self.tls = tls
        }
    }

    let output: any ShellOutput
    private(set) var options: Options
    private(set) var client: ZooKeeperClient?
    /// Read by watch tasks without hopping onto the actor, which may be busy with a long `members`.
    let printsWatches = NIOLockedValueBox(true)
    private var history: [Int: String] = [:]
    private(set) var commandCount = 0
    private(set) var quitRequested = false
    /// Tasks printing events of the current session's watches; cancelled when the session is replaced.
    var watchTasks: [Task<Void, Never>] = []

    public init(options: Options, output: any ShellOutput) {
        self.options = options
        self.output = output
    }

    /// Whether `quit` was run.
    public var hasQuit: Bool { quitRequested }

    /// Opens the session on `options.server` (or `server`), closing the current one first.
    public func connect(to server: String? = nil) async throws(ShellError) {
        await closeSession()
        if let server { options.server = server }
        var configuration = ZooKeeperClient.Configuration()
        if let tls = options.tls {
            do {
                try configuration.useTLS(tls)
            } catch {
                throw ShellError("Unable to use the TLS files: \(error)", status: ExitStatus.usage)
            }
        }
        do {
            let client = try await ZooKeeperClient.connect(
                to: options.server, sessionTimeout: .milliseconds(options.sessionTimeoutMillis),
                configuration: configuration)
            self.client = client
            if options.reportsSessionEvents { followSessionStates(of: client) }
        } catch {
            let reason = ShellError(error).message + (error.detail.map { " (\($0))" } ?? "")
            throw ShellError("Unable to connect to \(options.server): \(reason)", status: ExitStatus.status(for: error.code))
        }
    }

    /// Ends the session, if any, and stops its watch tasks.
    public func closeSession() async {
        for task in watchTasks { task.cancel() }
        watchTasks = []
        if let client {
            self.client = nil
            await client.close()
        }
    }

    /// zkCli's prompt: `[zk: 127.0.0.1:2181(CONNECTED) 3] `.
    public func prompt() async -> String {
        let state = await client?.state
        return "[zk: \(options.server)(\(EventText.promptState(state))) \(commandCount)] "
    }

    /// Runs one line typed or read from a script: records it for `history`, runs it, prints its output and
    /// any error. Blank lines do nothing and are not recorded.
    public func run(line: String) async -> Int32 {
        let words = CommandTokenizer.words(line)
        guard !words.isEmpty else { return ExitStatus.success }
        history[commandCount] = line
        defer { commandCount += 1 }
        return await run(words: words)
    }

    /// Runs one command given as words (from the command line), printing its output and any error.
    public func run(words: [String]) async -> Int32 {
        do throws(ShellError) {
            let command = try ShellCommand.parse(words)
            try await execute(command)
            return ExitStatus.success
        } catch {
            output.errorLine(error.message)
            return error.status
        }
    }

    /// Runs a parsed command.
    public func execute(_ command: ShellCommand) async throws(ShellError) {
        switch command {
        case .connect(let server):
            try await connect(to: server)
        case .close:
            await closeSession()
        case .printWatches(let setting):
            if let setting {
                printsWatches.withLockedValue { $0 = setting }
            } else {
                output.line("printwatches is \(printsWatches.withLockedValue { $0 } ? "on" : "off")")
            }
        case .history:
            for index in max(0, commandCount - 10)...commandCount {
                if let line = history[index] { output.line("\(index) - \(line)") }
            }
        case .redo(let index):
            try await redo(index)
        case .quit:
            quitRequested = true
            await closeSession()
        case .help:
            output.line(CommandSpec.usageText)
        default:
            guard let client, await !client.state.isTerminal else { throw ShellError.notConnected }
            do throws(ZooKeeperError) {
                try await execute(command, on: client)
            } catch {
                throw ShellError(error)
            }
        }
    }

    private func redo(_ index: Int) async throws(ShellError) {
        // The redo itself is already history[commandCount]; replaying it or a later line makes no sense.
        guard index >= 0, index < commandCount, let line = history[index] else {
            throw ShellError.usage("Command index out of range")
        }
        let words = CommandTokenizer.words(line)
        if words.first == "redo" { throw ShellError.usage("No redoing redos") }
        history[commandCount] = line
        try await execute(try ShellCommand.parse(words))
    }

    /// Prints session state changes after the first connection, as zkCli's default watcher does.
    private func followSessionStates(of client: ZooKeeperClient) {
        let output = self.output
        let printsWatches = self.printsWatches
        watchTasks.append(
            Task {
                var first = true
                for await state in client.sessionStates() {
                    defer { first = false }
                    if first && state == .connected { continue }
                    guard state != .closed, let event = EventText.stateEvent(state) else { continue }
                    if printsWatches.withLockedValue({ $0 }) { output.write(EventText.watcherBlock(event), to: .standard) }
                }
            })
    }

    /// Paths completing `text`: the children of its parent whose names start with its last component.
    /// Empty when `text` is not an absolute path or the server does not answer.
    public func pathCompletions(for text: String) async -> [String] {
        guard let client, let (parent, prefix) = PathCompletion.split(text) else { return [] }
        guard let children = try? await client.getChildren(parent) else { return [] }
        return PathCompletion.candidates(parent: parent, prefix: prefix, children: children)
    }
}
