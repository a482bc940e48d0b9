import AviaryConsensus
import AviaryReplica
import AviaryTransport
import AviaryWire
import Logging
import NIOCore

/// An ensemble member's connections to its peers: the election port, the learner port it listens on, and the
/// connection to the leader it follows. Confined to the driver's event loop after start-up; transport events
/// hop there before they touch it.
final class EnsembleLinks: @unchecked Sendable {
    let myId: Int64
    let members: [Int64: QuorumServer]
    let election: ElectionConnectionManager
    let quorumGroup: any EventLoopGroup
    let packetBytesMax: Int
    let security: QuorumSecurity
    let logger: Logger
    /// The membership as ZooKeeper's notifications carry it (`server.N=…` lines and `version=0`).
    let configText: [UInt8]
    var listener: LearnerListener?

    /// Learners connected to us while we lead, once their FOLLOWERINFO named them.
    var learnerBySid: [Int64: LearnerConnection] = [:]
    var sidByConnection: [LearnerConnection: Int64] = [:]
    /// Our connection to the leader, while we follow or observe.
    var leader: (sid: Int64, connection: LearnerConnection)?
    /// Bumped whenever a dial to a leader stops being wanted, so a late success is closed, not used.
    var dialGeneration = 0
    /// The zxid of the leader's last PING, which our reply echoes.
    var lastLeaderPingZxid: Int64 = 0
    /// FOLLOWERINFOs that arrived before this server knew it leads, by connection: a follower that decided
    /// sooner must not be turned away (ZooKeeper's leader opens its learner port only once it leads, and its
    /// followers retry until it does).
    var parked: [LearnerConnection: (sid: Int64, packet: LearnerPacket)] = [:]
    /// A SNAP packet whose snapshot has not arrived yet.
    var pendingSnapZxid: Int64?
    /// Packets waiting to be written, in order, grouped by connection.
    private var outgoing: [(LearnerConnection, [LearnerStreamItem])] = []
    var flushScheduled = false
    /// The last proposal in wire form: a leader sends each proposal to every follower, and a zxid names one txn.
    private var lastProposal: (zxid: Int64, packet: QuorumPacket)?
    var hasOutgoing: Bool { !outgoing.isEmpty }

    init(
        myId: Int64, members: [Int64: QuorumServer], election: ElectionConnectionManager,
        quorumGroup: any EventLoopGroup, packetBytesMax: Int, security: QuorumSecurity, logger: Logger
    ) {
        self.myId = myId
        self.members = members
        self.election = election
        self.quorumGroup = quorumGroup
        self.packetBytesMax = packetBytesMax
        self.security = security
        self.logger = logger
        let lines = members.values.sorted { $0.id < $1.id }.map { "server.\($0.id)=\($0.specification)" }
        self.configText = Array((lines + ["version=0"]).joined(separator: "\n").utf8)
    }

    func connection(to peer: Int64) -> LearnerConnection? {
        if let leader, leader.sid == peer { return leader.connection }
        return learnerBySid[peer]
    }

    func enqueue(_ items: [LearnerStreamItem], to connection: LearnerConnection) {
        if let index = outgoing.lastIndex(where: { $0.0 == connection }) {
            outgoing[index].1.append(contentsOf: items)
        } else {
            outgoing.append((connection, items))
        }
    }

    func flush() {
        guard !outgoing.isEmpty else { return }
        for (connection, items) in outgoing {
            connection.send(items)
        }
        outgoing.removeAll(keepingCapacity: true)
    }

    func send(_ notification: Notification, to peer: Int64) {
        let vote = notification.vote
        // Both enums carry ZooKeeper's ServerState numbers.
        election.send(
            ElectionNotification(
                state: ElectionNotification.State(rawValue: notification.state.rawValue)!, leader: vote.leader, zxid: vote.zxid, electionEpoch: vote.electionEpoch,
                peerEpoch: vote.peerEpoch, config: configText),
            to: peer)
    }

    static func notification(from received: ElectionNotification) -> Notification? {
        guard let state = PeerState(rawValue: received.state) else { return nil }
        return Notification(
            state: state,
            vote: Vote(
                leader: received.leader, zxid: received.zxid, electionEpoch: received.electionEpoch,
                peerEpoch: received.peerEpoch))
    }

    /// The wire form of a packet for a peer, with the field values a ZooKeeper 3.8 peer writes.
    func quorumPacket(for packet: LearnerPacket, lastZxid: Int64) -> QuorumPacket {
        switch packet {
        case .consensus(.proposal(let zxid, _)) where lastProposal?.zxid == zxid:
            return lastProposal!.packet
        case .consensus(let message), .learnerInfo(_, let message):
            let encoded = LearnerPacketCodec.packet(for: message, myId: myId, lastZxid: lastZxid)
            if case .proposal(let zxid, _) = message { lastProposal = (zxid, encoded) }
            return encoded
        case .pingReply(let touches):
            return LearnerPacketCodec.pingReply(zxid: lastLeaderPingZxid, touches: touches)
        case .forwardedRequest(let request, let authInfo):
            return QuorumPacket(.request, zxid: -1, data: request.encoded(), authInfo: authInfo)
        case .revalidate(let request):
            return QuorumPacket(.revalidate, zxid: -1, data: request.encoded())
        case .revalidated(let reply):
            return QuorumPacket(.revalidate, zxid: -1, data: reply.encoded())
        }
    }

    func close(everything reason: String) async {
        for connection in learnerBySid.values { connection.close() }
        leader?.connection.close()
        learnerBySid.removeAll()
        sidByConnection.removeAll()
        leader = nil
        await listener?.close()
        await election.shutdown()
        logger.info("quorum connections closed", metadata: ["reason": "\(reason)"])
    }
}
