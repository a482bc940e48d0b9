import AviaryConsensus
import AviaryReplica
import AviaryWire

/// Client connections: frames to the server and answers back, each direction in order. A server's close
/// reaches the client after the answers before it, and its channel then reports `.disconnected` to the
/// replica; a broken connection is noticed by the server only when its keep-alive gives up, and by the client
/// by its read timeout, unless a crash resets it.
extension ReplicaSimulation {
    func clientCut(_ client: Int, _ server: Int64) -> Bool {
        guard let side = partitionSide else { return false }
        return clientOnPartitionSide[client] != side.contains(server)
    }

    mutating func wakeClient(_ index: Int) {
        for action in clients[index].wake(now: now, random: &random) {
            if options.trace { print("\(now) client \(index): \(Self.describe(action))") }
            switch action {
            case .connect(let server, let request):
                openClientLink(index, to: server, request)
            case .send(let header, let request):
                guard let link = clients[index].link else { continue }
                sendToServer(.request(header, request), on: link)
            case .close(let link):
                clientCloses(link)
            }
        }
    }

    private mutating func openClientLink(_ client: Int, to server: Int64, _ request: ConnectRequest) {
        let id = nextClientLink
        nextClientLink += 1
        clients[client].opened(link: id, server: server, now: now)
        guard node(server).isRunning, !clientCut(client, server) else {
            // Refused at once by a stopped server; unanswered into a partition until the connect times out.
            let wait = node(server).isRunning ? 1_000 : delay()
            queue.schedule(.clientConnectFailed(client: client, link: id), at: now + wait)
            return
        }
        clientLinks[id] = ClientLink(id: id, client: client, server: server, serverIncarnation: node(server).incarnation)
        sendToServer(.connect(request), on: id)
    }

    private mutating func sendToServer(_ frame: ClientFrame, on id: ConnectionID) {
        guard let link = clientLinks[id], !link.broken, !link.closedByClient else { return }
        if clientCut(link.client, link.server) {
            breakClientLink(id, clientNoticesAfter: nil, serverNoticesAfter: keepAliveDelay())
            return
        }
        queue.schedule(.clientFrame(link: id, frame), at: fifoTime(.toServer(id)))
    }

    mutating func deliver(_ frame: ClientFrame, on id: ConnectionID) {
        guard let link = clientLinks[id], !link.broken, !link.closedByServer, !link.serverToldGone,
            node(link.server).incarnation == link.serverIncarnation
        else { return }
        switch frame {
        case .connect(let request):
            feed(link.server, .connect(id, request, address: "10.0.1.\(link.client)"))
        case .request(let header, let request):
            feed(link.server, .request(id, header, request, identity: nil))
        }
    }

    mutating func sendToClient(_ item: ServerItem, on id: ConnectionID) {
        guard let link = clientLinks[id], !link.broken, !link.closedByServer else { return }
        if clientCut(link.client, link.server) {
            breakClientLink(id, clientNoticesAfter: nil, serverNoticesAfter: keepAliveDelay())
            return
        }
        queue.schedule(.serverItem(link: id, item), at: fifoTime(.toClient(id)))
    }

    mutating func deliver(_ item: ServerItem, on id: ConnectionID) {
        guard let link = clientLinks[id], !link.broken, !link.closedByClient, clients[link.client].link == id else { return }
        let client = link.client
        if options.trace { print("\(now) client \(client) <- c\(id): \(Self.describe(item))") }
        switch item {
        case .connectResponse(let response):
            clients[client].connectResponse(response, now: now, checker: &checker)
        case .reply(let header, let body):
            if clients[client].reply(header, body, now: now, checker: &checker) {
                clients[client].dropConnection(now: now, random: &random)
                clientCloses(id)
            }
        case .notification:
            break
        case .closed:
            clientLinks[id]!.closedByClient = true
            clients[client].dropConnection(now: now, random: &random)
        }
    }

    /// The replica closes a connection: the client reads everything before the close, and the channel's close
    /// comes back to the replica as `.disconnected`.
    mutating func serverCloses(_ id: ConnectionID) {
        guard var link = clientLinks[id], !link.closedByServer else { return }
        if !link.broken && !link.closedByClient {
            if clientCut(link.client, link.server) {
                breakClientLink(id, clientNoticesAfter: nil, serverNoticesAfter: delay())
                return
            }
            queue.schedule(.serverItem(link: id, .closed), at: fifoTime(.toClient(id)))
        }
        link.closedByServer = true
        clientLinks[id] = link
        queue.schedule(.serverSawClientGone(link: id), at: now + delay())
    }

    /// The client drops a connection; the server's channel sees the close after what the client sent before.
    mutating func clientCloses(_ id: ConnectionID) {
        guard var link = clientLinks[id], !link.closedByClient else { return }
        link.closedByClient = true
        clientLinks[id] = link
        guard !link.broken, !link.closedByServer else { return }
        queue.schedule(.serverSawClientGone(link: id), at: fifoTime(.toServer(id)))
    }

    mutating func serverSawClientGone(_ id: ConnectionID) {
        guard let link = clientLinks[id], !link.serverToldGone, node(link.server).incarnation == link.serverIncarnation
        else { return }
        clientLinks[id]!.serverToldGone = true
        feed(link.server, .disconnected(id))
    }

    /// Nothing in flight arrives any more; each side notices after its delay, or (nil) never by itself.
    mutating func breakClientLink(_ id: ConnectionID, clientNoticesAfter: Int64?, serverNoticesAfter: Int64?) {
        guard var link = clientLinks[id], !link.broken else { return }
        link.broken = true
        clientLinks[id] = link
        if let clientNoticesAfter, !link.closedByClient {
            queue.schedule(.clientSawReset(link: id), at: now + clientNoticesAfter)
        }
        if let serverNoticesAfter {
            queue.schedule(.serverSawClientGone(link: id), at: now + serverNoticesAfter)
        }
    }

    /// A server notices a client that vanished behind a partition when its keep-alive gives up.
    private mutating func keepAliveDelay() -> Int64 { random.between(1_000...6_000) }

    // MARK: - Trace

    static func describe(_ action: SimulatedClient.Action) -> String {
        switch action {
        case .connect(let server, let request):
            "connect to s\(server) session=\(Zxid.hex(request.sessionId)) seen=\(Zxid.hex(request.lastZxidSeen))"
        case .send(let header, let request): "send xid=\(header.xid) \(request)"
        case .close(let link): "close c\(link)"
        }
    }

    static func describe(_ item: ServerItem) -> String {
        switch item {
        case .connectResponse(let response): "connected session=\(Zxid.hex(response.sessionId))"
        case .reply(let header, let body): "reply xid=\(header.xid) zxid=\(Zxid.hex(header.zxid)) err=\(header.err) \(body)"
        case .notification(let event): "event \(event)"
        case .closed: "closed"
        }
    }
}
