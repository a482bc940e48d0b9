import ArgumentParser
import AviaryClient
import AviaryShell

/// `aviary-cli`: ZooKeeper's zkCli.sh command set against Aviary or ZooKeeper. Options use zkCli's
/// single-dash spelling so existing command lines keep working.
@main
struct AviaryCLICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aviary-cli",
        abstract: "A ZooKeeper shell: zkCli.sh's commands, line editing, completion and script-friendly exit codes.",
        discussion: """
            With a command: runs it and exits with its status (0 success, 64 usage error, otherwise the \
            negated ZooKeeper error code: 101 NoNode, 110 NodeExists, 4 ConnectionLoss, ...). Without one: \
            an interactive shell, or one command per line from standard input when it is not a terminal.
            Environment: AVIARY_CLI_HISTORY sets the history file (default ~/.aviary_cli_history).
            """
    )

    @Option(name: .customLong("server", withSingleDash: true), help: "host:port[,host:port...][/chroot]")
    var server = "localhost:2181"

    @Option(name: .customLong("timeout", withSingleDash: true), help: "Session timeout in milliseconds.")
    var timeout = 30_000

    @Option(
        name: .customLong("tls-ca", withSingleDash: true),
        help: "PEM file of CA certificates: connect over TLS (to a secureClientPort), trusting these.")
    var tlsCA: String?

    @Option(
        name: .customLong("tls-cert", withSingleDash: true),
        help: "PEM file with a client certificate and its key (the x509 identity), for servers that ask.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key", withSingleDash: true), help: "PEM file of the key, if not in -tls-cert.")
    var tlsKey: String?

    @Flag(name: .customShort("e"), help: "Reading commands from standard input, stop at the first failure.")
    var stopOnError = false

    @Argument(parsing: .captureForPassthrough, help: "A command and its arguments, e.g. ls -s /")
    var command: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("-timeout must be positive") }
        if tlsCA == nil, tlsCertificate != nil || tlsKey != nil {
            throw ValidationError("-tls-cert and -tls-key need -tls-ca")
        }
    }

    func run() async throws {
        let options = ShellRunner.Options(
            server: server, sessionTimeoutMillis: timeout, stopOnError: stopOnError, command: command,
            historyPath: ShellRunner.defaultHistoryPath(),
            tls: tlsCA.map { ClientTLS(trustStorePath: $0, certificatePath: tlsCertificate, keyPath: tlsKey) })
        let status = await ShellRunner(options: options).run()
        if status != 0 { throw ExitCode(status) }
    }
}
