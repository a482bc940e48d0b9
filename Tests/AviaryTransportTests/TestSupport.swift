#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
// NIO's Linux shim declares the socket structs too; once NIOSSL is in the build it may own them.
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Values delivered from event loop threads, gathered so a test can wait (bounded) for what it expects.
final class Inbox<Value: Sendable>: Sendable {
    private let values = NIOLockedValueBox<[Value]>([])

    func append(_ value: Value) {
        values.withLockedValue { $0.append(value) }
    }

    var all: [Value] { values.withLockedValue { $0 } }

    /// Waits until `condition` holds for what has arrived; throws `TimedOut` (naming `what`) after `timeout`.
    @discardableResult
    func wait(
        for what: String, timeout: Duration = .seconds(10), until condition: ([Value]) -> Bool
    ) async throws -> [Value] {
        try await eventually(what, timeout: timeout) { condition(self.all) }
        return all
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 10 ms until it holds, for at most `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

enum TestSupport {
    static let group = MultiThreadedEventLoopGroup.singleton
    static let host = "127.0.0.1"

    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical  // the tests provoke warnings on purpose
        return logger
    }

    /// A raw TCP client for feeding a server bytes no Aviary or ZooKeeper peer would send.
    static func rawClient(port: Int, inbox: Inbox<RawEvent>) async throws -> any Channel {
        try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawRecorder(inbox: inbox))
                }
            }
            .connect(host: host, port: port)
            .get()
    }
}

enum RawEvent: Sendable, Equatable {
    case bytes([UInt8])
    case closed
}

final class RawRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let inbox: Inbox<RawEvent>

    init(inbox: Inbox<RawEvent>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(.bytes(Array(unwrapInboundIn(data).readableBytesView)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.append(.closed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Steps that undo what a test set up (servers, managers), run in reverse order when the test ends, also when
/// it fails.
final class Cleanup {
    private var steps: [() async -> Void] = []

    func add(_ step: @escaping () async -> Void) {
        steps.append(step)
    }

    fileprivate func run() async {
        for step in steps.reversed() { await step() }
    }
}

func withCleanup(_ body: (Cleanup) async throws -> Void) async throws {
    let cleanup = Cleanup()
    do {
        try await body(cleanup)
    } catch {
        await cleanup.run()
        throw error
    }
    await cleanup.run()
}

/// A loopback port that nothing listens on and nobody else is handed: a socket is bound to it (with
/// SO_REUSEADDR) but never listens, so dials to it are refused, until a test's server binds the same port (its
/// bootstraps set SO_REUSEADDR too) and `release()` lets go. Freeing a port and binding it again later instead
/// would leave a window in which a test running in parallel can be given that port.
final class ReservedPort {
    let port: Int
    private var descriptor: Int32

    init() throws {
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { throw ReservationFailed(step: "socket") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ReservationFailed(step: "bind")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    struct ReservationFailed: Error {
        var step: String
    }
}
