import AviaryWire
import NIOCore

extension SessionStateMachine {
    /// One frame after the handshake: a reply, a notification, or the answer to a ping, auth or setWatches.
    mutating func replyReceived(_ frame: ByteBuffer, now: NIODeadline, out: inout Output) {
        var reader = JuteReader(frame)
        guard let header = try? ReplyHeader(from: &reader) else {
            connectionLostOnProtocolError(now: now, out: &out)
            return
        }
        switch header.xid {
        case SpecialXid.ping, SpecialXid.setWatches:
            // Nothing waits on these; the read timeout was already reset by receiving them.
            return
        case SpecialXid.auth:
            authAnswered(header, out: &out)
        case SpecialXid.notification:
            notificationReceived(header, reader: &reader, out: &out)
        default:
            requestAnswered(header, reader: &reader, now: now, out: &out)
        }
    }

    private mutating func authAnswered(_ header: ReplyHeader, out: inout Output) {
        let reply = authReplies.isEmpty ? nil : authReplies.removeFirst()
        if header.err == 0 {
            if let id = reply?.id { out.actions.append(.complete(id, .success(.empty))) }
            return
        }
        // The server closes the connection after refusing credentials; the Java client gives up the session.
        if let id = reply?.id { out.actions.append(.complete(id, .failure(RequestFailure(.authFailed)))) }
        end(.authFailed, out: &out)
    }

    private mutating func notificationReceived(_ header: ReplyHeader, reader: inout JuteReader, out: inout Output) {
        guard let event = try? WatcherEvent(from: &reader), let type = WatchEventType(rawValue: event.type) else {
            return
        }
        let deliveries = watches.deliveries(for: type, path: event.path)
        guard !deliveries.isEmpty else { return }
        let state = KeeperState(rawValue: event.state) ?? .syncConnected
        out.actions.append(.deliver(WatchEvent(type: type, state: state, path: event.path, zxid: header.zxid), deliveries))
    }

    private mutating func requestAnswered(
        _ header: ReplyHeader, reader: inout JuteReader, now: NIODeadline, out: inout Output
    ) {
        guard let request = sent.first, request.xid == header.xid else {
            // Replies come in request order; anything else means this stream cannot be trusted.
            connectionLostOnProtocolError(now: now, out: &out)
            return
        }
        sent.removeFirst()
        if header.zxid > 0 { lastZxidSeen = header.zxid }
        if case .closeSession = request.effect {
            end(.closed, out: &out)
            return
        }
        if header.err != 0 {
            requestFailed(request, code: KeeperError(rawValue: header.err) ?? .systemError, reader: &reader, out: &out)
            return
        }
        let body: ResponseBody
        do {
            body = try ResponseBody.decode(opCode: request.opCode, from: &reader)
        } catch {
            if let id = request.id { out.actions.append(.complete(id, .failure(RequestFailure(.marshallingError)))) }
            return
        }
        switch request.effect {
        case .register(let watch, let kind, let path):
            watches.add(watch, kind: kind, path: path)
        case .exists(let watch, let path):
            watches.add(watch, kind: .data, path: path)
        case .removeWatches(let path, let kinds):
            deliverRemovals(watches.removeAll(path: path, kinds: kinds), path: path, out: &out)
        case .none, .closeSession:
            break
        }
        if let id = request.id { out.actions.append(.complete(id, .success(body))) }
    }

    private mutating func requestFailed(
        _ request: SentRequest, code: KeeperError, reader: inout JuteReader, out: inout Output
    ) {
        // multi's results come even when it fails: they say which operation failed.
        var body: ResponseBody?
        if request.opCode == .multi || request.opCode == .multiRead {
            body = try? ResponseBody.decode(opCode: request.opCode, from: &reader)
        }
        switch request.effect {
        case .exists(let watch, let path) where code == .noNode:
            // exists leaves a watch on a missing node, to fire when it is created.
            watches.add(watch, kind: .exist, path: path)
        case .removeWatches(let path, let kinds) where code == .noWatcher:
            // The server had none; registrations still here are stale, and removing them is what was asked.
            let removed = watches.removeAll(path: path, kinds: kinds)
            deliverRemovals(removed, path: path, out: &out)
            if !removed.isEmpty {
                if let id = request.id { out.actions.append(.complete(id, .success(.empty))) }
                return
            }
        default:
            break
        }
        if let id = request.id { out.actions.append(.complete(id, .failure(RequestFailure(code, body: body)))) }
    }

    private mutating func connectionLostOnProtocolError(now: NIODeadline, out: inout Output) {
        // Same path as a dropped connection: the transport is closed and the next server tried.
        connectionLost(now: now, out: &out)
    }

    /// Tells removed registrations why they end (`dataWatchRemoved`, `childWatchRemoved`,
    /// `persistentWatchRemoved`), as the Java client does for `removeWatches`.
    mutating func deliverRemovals(_ removed: [(id: WatchID, kind: WatchKind)], path: String, out: inout Output) {
        let types: [WatchEventType] = [.dataWatchRemoved, .childWatchRemoved, .persistentWatchRemoved]
        for type in types {
            let deliveries = removed.filter { $0.kind.removalEventType == type }.map {
                WatchDelivery(id: $0.id, isFinal: true)
            }
            if !deliveries.isEmpty {
                out.actions.append(.deliver(WatchEvent(type: type, path: path), deliveries))
            }
        }
    }

    mutating func deliverStateToPersistentWatches(_ state: KeeperState, out: inout Output) {
        let ids = watches.persistentIDs
        guard !ids.isEmpty else { return }
        let deliveries = ids.map { WatchDelivery(id: $0, isFinal: false) }
        out.actions.append(.deliver(WatchEvent(type: .none, state: state, path: ""), deliveries))
    }
}

/// The actions of one step, with every frame written during the step batched into one `send` per connection
/// (one flush per step, however many requests it sends).
struct Output {
    /// Completions and state changes are appended here directly; frames go through `write`.
    var actions: [SessionAction] = []
    private var outbound: ByteBuffer?
    private var outboundConnection: ConnectionID?

    init() {}

    /// Writes one frame; if its body exceeds `bytesMax` it is taken back and false returned.
    @discardableResult
    mutating func write(
        _ connection: ConnectionID, bytesMax: Int = .max, _ body: (inout ByteBuffer) -> Void
    ) -> Bool {
        if outboundConnection != connection { flush() }
        if outbound == nil {
            outbound = ByteBufferAllocator().buffer(capacity: 256)
            outboundConnection = connection
        }
        let start = outbound!.writerIndex
        body(&outbound!)
        if outbound!.writerIndex - start - 4 > bytesMax {
            outbound!.moveWriterIndex(to: start)
            return false
        }
        return true
    }

    mutating func close(_ connection: ConnectionID) {
        flush()
        actions.append(.close(connection))
    }

    mutating func finish() -> [SessionAction] {
        flush()
        return actions
    }

    private mutating func flush() {
        if let buffer = outbound, let connection = outboundConnection, buffer.readableBytes > 0 {
            actions.append(.send(connection, buffer))
        }
        outbound = nil
        outboundConnection = nil
    }
}
