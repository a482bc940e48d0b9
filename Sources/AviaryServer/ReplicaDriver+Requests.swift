import AviaryDataTree
import AviaryReplica
import AviaryTLS
import AviaryTransport
import AviaryWire
import DequeModule
import Logging
import NIOCore
import NIOSSL

extension ReplicaDriver {
    /// Decodes one frame and feeds it to the replica. Anything malformed closes this connection only.
    func received(_ frame: ByteBuffer, on connection: ClientConnection) {
        statistics.packetsReceived += 1
        statistics.bytesReceived += frame.readableBytes + 4
        connection.packetsReceived += 1
        var reader = JuteReader(frame)
        do throws(JuteError) {
            if !connection.handshakeDone {
                let request = try ConnectRequest(from: &reader)
                try reader.expectEnd()
                if storageFailure != nil && request.sessionId == 0 {
                    // A new session needs a logged txn, which this server can no longer write.
                    connection.handler.fail(context: connection.context, reason: "transaction log unavailable")
                    return
                }
                connection.handshakeDone = true
                connection.timeoutMillis = request.timeOutMillis
                run(
                    .connect(
                        connection.id, request, address: connection.address,
                        certificateIdentities: certificateIdentities(of: connection)))
                return
            }
            let header = try RequestHeader(from: &reader)
            // An auth packet is answered outside the request pipeline, as in ZooKeeper: it is neither outstanding
            // nor timed.
            if header.xid != SpecialXid.auth {
                requestArrived(on: connection)
            }
            guard let opCode = header.opCode, opCode != .notification, opCode != .error else {
                connection.lastOperation = "UNKN"
                run(.unknownRequest(connection.id, header))
                return
            }
            let request: ClientRequest
            do throws(JuteError) {
                guard let decoded = try ClientRequest.decode(opCode: opCode, from: &reader) else {
                    // Opcodes only servers send (createSession, deleteContainer) decode as nothing a client may ask.
                    run(.undecodableRequest(connection.id, header))
                    return
                }
                request = decoded
            } catch {
                if opCode == .auth { throw error }
                // A body that does not decode is answered with MARSHALLINGERROR; the connection stays.
                run(.undecodableRequest(connection.id, header))
                return
            }
            connection.lastCxid = header.xid
            connection.lastOperation = Self.operationAbbreviation(opCode)
            if storageFailure != nil && opCode.isWrite && opCode != .check {
                requestWithdrawn(on: connection)
                var buffer = connection.context.channel.allocator.buffer(capacity: 20)
                let reply = ReplyHeader(xid: header.xid, zxid: replica.lastProcessedZxid, error: .notReadOnly)
                buffer.writeJuteFrame { reply.encode(to: &$0) }
                connection.write(buffer)
                connection.flushIfNeeded()
                return
            }
            var identity: AuthOutcome?
            if case .auth(let packet) = request {
                identity = authenticate(packet, connection: connection)
                if identity == .failed { statistics.authFailures += 1 }
            }
            run(.request(connection.id, header, request, identity: identity))
        } catch {
            connection.handler.fail(context: connection.context, reason: "undecodable request: \(error)")
        }
    }

    /// The auth providers: digest (with the super user), ip and x509 (what the TLS certificate proved). Other
    /// schemes fail, and the connection closes.
    func authenticate(_ packet: AuthPacket, connection: ClientConnection) -> AuthOutcome {
        let address = connection.address
        switch packet.scheme {
        case "digest":
            let credentials = String(decoding: packet.auth, as: UTF8.self)
            let digest = DigestAuthentication.digest(credentials)
            if let superDigest = settings.superDigest, digest == superDigest {
                return .authenticated([Id(scheme: "super", id: ""), Id(scheme: "digest", id: digest)])
            }
            return .authenticated([Id(scheme: "digest", id: digest)])
        case "ip":
            return .authenticated([Id(scheme: "ip", id: address)])
        case "x509":
            let identities = certificateIdentities(of: connection)
            return identities.isEmpty ? .failed : .authenticated(identities)
        default:
            return .failed
        }
    }

    /// ZooKeeper's x509 provider: a client whose TLS certificate verified is `x509:<subject>`, and also
    /// `super:<subject>` when that subject is the configured super user.
    func certificateIdentities(of connection: ClientConnection) -> [Id] {
        guard let tls = try? connection.context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let certificate = tls.peerCertificate, let subject = CertificateSubject.rfc2253(of: certificate)
        else { return [] }
        if let superUser = settings.x509SuperUser, subject == superUser {
            return [Id(scheme: "super", id: subject), Id(scheme: "x509", id: subject)]
        }
        return [Id(scheme: "x509", id: subject)]
    }

    /// Feeds one input and carries out the effects in order. Transactions to log go to the log writer as one
    /// batch (handed over before any barrier that follows them); their durability comes back through
    /// `logDidPersist`. Packets to peers leave in one flush per connection, after whatever else the loop has queued
    /// (the ACKs of a busy follower are handled in one go, and answered with one write per peer).
    func run(_ input: ReplicaInput) {
        let effects = replica.handle(input, now: WallClock.millis())
        var toLog: [Txn] = []
        for effect in effects {
            switch effect {
            case .appendToLog(let txn):
                toLog.append(txn)
            case .connectResponse, .reply, .notification, .close:
                execute(effect)
            default:
                if effect.isStorageBarrier, !toLog.isEmpty {
                    transactionLog?.append(toLog)
                    toLog.removeAll()
                }
                executeEnsemble(effect)
            }
        }
        if !toLog.isEmpty {
            transactionLog?.append(toLog)
        }
        scheduleQuorumFlush()
    }

    private func send(_ buffer: ByteBuffer, to connection: ClientConnection) {
        if connection.write(buffer) {
            pendingFlush.append(connection)
        }
    }

    private func execute(_ effect: ReplicaEffect) {
        switch effect {
        case .connectResponse(let id, let response):
            guard let connection = connections[id] else { return }
            connection.sessionId = response.sessionId
            connection.establishedMillis = WallClock.millis()
            var buffer = connection.context.channel.allocator.buffer(capacity: 48)
            buffer.writeJuteFrame { response.encode(to: &$0) }
            send(buffer, to: connection)
            statistics.packetsSent += 1
        case .reply(let id, let header, let body):
            guard let connection = connections[id] else { return }
            var buffer = connection.context.channel.allocator.buffer(capacity: 128)
            buffer.writeJuteFrame { buffer in
                header.encode(to: &buffer)
                body.encode(to: &buffer)
            }
            if header.xid != SpecialXid.auth, let arrival = replyLeft(on: connection) {
                let now = WallClock.millis()
                statistics.recordLatency(Int(now - arrival))
                connection.recordLatency(Int(now - arrival), at: now)
            }
            connection.lastZxid = header.zxid
            send(buffer, to: connection)
            statistics.packetsSent += 1
        case .notification(let id, let event):
            guard let connection = connections[id] else { return }
            var buffer = connection.context.channel.allocator.buffer(capacity: 64)
            buffer.writeJuteFrame { buffer in
                // ZooKeeper 3.8 sends -1 as the zxid of a notification.
                ReplyHeader(xid: SpecialXid.notification, zxid: -1, err: 0).encode(to: &buffer)
                event.encode(to: &buffer)
            }
            send(buffer, to: connection)
            statistics.packetsSent += 1
        case .close(let id, let reason):
            guard let connection = connections[id] else { return }
            logger.info("closing client connection", metadata: ["client": "\(connection.remoteDescription)", "reason": "\(reason)"])
            connection.closeAfterFlush()
        default:
            break
        }
    }

    static func operationAbbreviation(_ opCode: OpCode) -> String {
        switch opCode {
        case .create, .create2, .createContainer, .createTTL: "CREA"
        case .delete: "DELE"
        case .exists: "EXIS"
        case .getData: "GETD"
        case .setData: "SETD"
        case .getACL: "GETA"
        case .setACL: "SETA"
        case .getChildren, .getChildren2: "GETC"
        case .sync: "SYNC"
        case .ping: "PING"
        case .check: "CHEC"
        case .multi: "MULT"
        case .multiRead: "MLTR"
        case .closeSession: "CLOS"
        case .setWatches, .setWatches2: "SETW"
        case .auth: "AUTH"
        case .whoAmI: "HOMI"
        default: "NA"
        }
    }
}
