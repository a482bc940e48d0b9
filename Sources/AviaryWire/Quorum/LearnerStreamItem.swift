import NIOCore

/// One unit of the learner-port stream, in either direction.
public enum LearnerStreamItem: Sendable, Hashable {
    case packet(QuorumPacket)
    /// The serialized snapshot that follows a SNAP packet (sessions, ACL table, nodes), without the signature.
    case snapshot(ByteBuffer)

    /// What a leader writes to sync a learner by snapshot, in the order the learner reads it.
    public static func snapshotSync(zxid: Int64, snapshot: ByteBuffer) -> [LearnerStreamItem] {
        [.packet(QuorumPacket(.snap, zxid: zxid)), .snapshot(snapshot)]
    }

    /// Writes the item as it goes on the wire: a packet as a bare jute record, a snapshot followed by its
    /// signature.
    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .packet(let packet):
            packet.encode(to: &buffer)
        case .snapshot(let snapshot):
            buffer.writeImmutableBuffer(snapshot)
            buffer.writeJuteString(LearnerStreamDecoder.snapshotSignature)
        }
    }
}
