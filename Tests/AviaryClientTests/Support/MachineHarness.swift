@testable import AviaryClient
import NIOCore

/// Drives a `SessionStateMachine` by hand: a fake clock, a fake server's frames, and readable views of the
/// actions it returns.
struct MachineHarness {
    var machine: SessionStateMachine
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private var nextRequest: UInt64 = 0
    private var nextWatch: UInt64 = 0

    init(servers: Int = 2, timeoutMillis: Int32 = 3000) {
        let configuration = SessionStateMachine.Configuration(
            serverCount: servers, requestedTimeoutMillis: timeoutMillis, reconnectDelay: .milliseconds(100))
        machine = SessionStateMachine(configuration: configuration)
    }

    mutating func newRequestID() -> RequestID {
        nextRequest += 1
        return RequestID(rawValue: nextRequest)
    }

    mutating func newWatchID() -> WatchID {
        nextWatch += 1
        return WatchID(rawValue: nextWatch)
    }

    /// Advances the clock in 10 ms ticks, collecting every action.
    mutating func advance(milliseconds: Int64) -> [SessionAction] {
        var actions: [SessionAction] = []
        var left = milliseconds
        while left > 0 {
            let step = min(10, left)
            now = now + .milliseconds(step)
            left -= step
            actions += machine.tick(now: now)
        }
        return actions
    }

    /// Starts, opens the transport, and completes the handshake; returns the connection.
    @discardableResult
    mutating func connect(sessionId: Int64 = 0x1234, timeoutMillis: Int32 = 3000) -> ConnectionID {
        let connection = machine.start(now: now).connections[0]
        _ = machine.transportConnected(connection, now: now)
        _ = handshake(connection, sessionId: sessionId, timeoutMillis: timeoutMillis)
        return connection
    }

    mutating func handshake(_ connection: ConnectionID, sessionId: Int64 = 0x1234, timeoutMillis: Int32 = 3000)
        -> [SessionAction]
    {
        let response = ConnectResponse(
            timeOutMillis: timeoutMillis, sessionId: sessionId, passwd: [UInt8](repeating: 7, count: 16))
        return machine.frameReceived(connection, response.encoded(), now: now)
    }

    mutating func reply(
        _ connection: ConnectionID, xid: Int32, zxid: Int64 = 1, err: KeeperError? = nil,
        body: ResponseBody = .empty
    ) -> [SessionAction] {
        var buffer = ByteBuffer()
        ReplyHeader(xid: xid, zxid: zxid, error: err).encode(to: &buffer)
        body.encode(to: &buffer)
        return machine.frameReceived(connection, buffer, now: now)
    }

    mutating func notify(
        _ connection: ConnectionID, _ type: WatchEventType, _ path: String, zxid: Int64 = -1
    ) -> [SessionAction] {
        var buffer = ByteBuffer()
        ReplyHeader(xid: SpecialXid.notification, zxid: zxid, err: 0).encode(to: &buffer)
        WatcherEvent(type: type, path: path).encode(to: &buffer)
        return machine.frameReceived(connection, buffer, now: now)
    }
}

/// One request frame as the server would read it.
struct SentFrame {
    var header: RequestHeader
    var body: ByteBuffer

    var opCode: OpCode? { header.opCode }
}

extension Array where Element == SessionAction {
    var connections: [ConnectionID] {
        compactMap { if case .connect(let connection, _, _) = $0 { connection } else { nil } }
    }

    var connectTargets: [Int] {
        compactMap { if case .connect(_, let index, _) = $0 { index } else { nil } }
    }

    var closed: [ConnectionID] {
        compactMap { if case .close(let connection) = $0 { connection } else { nil } }
    }

    var states: [SessionState] {
        compactMap { if case .sessionState(let state) = $0 { state } else { nil } }
    }

    var completions: [(RequestID, Result<ResponseBody, RequestFailure>)] {
        compactMap { if case .complete(let id, let result) = $0 { (id, result) } else { nil } }
    }

    var deliveries: [(WatchEvent, [WatchDelivery])] {
        compactMap { if case .deliver(let event, let deliveries) = $0 { (event, deliveries) } else { nil } }
    }

    /// Every request frame written (the connect request, which has no header, excluded).
    var requestFrames: [SentFrame] {
        var frames: [SentFrame] = []
        for action in self {
            guard case .send(_, var buffer) = action else { continue }
            while let frame = try? JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: 1 << 22) {
                var reader = JuteReader(frame)
                guard let header = try? RequestHeader(from: &reader) else { continue }
                frames.append(SentFrame(header: header, body: reader.buffer))
            }
        }
        return frames
    }

    /// The ConnectRequest among the writes, if any.
    var connectRequest: ConnectRequest? {
        for action in self {
            guard case .send(_, var buffer) = action,
                let frame = try? JuteFrameDecoder.nextFrame(from: &buffer, maximumFrameBytes: 1 << 22)
            else { continue }
            if let request = try? ConnectRequest.decode(from: frame) { return request }
        }
        return nil
    }
}
