import AviaryWire
import NIOCore

/// One learner-port connection, as its consumer sees it: a handle to write through and to tell events apart.
/// Two handles are equal when they are the same connection.
public struct LearnerConnection: Sendable, Hashable, CustomStringConvertible {
    let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }
    public var localAddress: SocketAddress? { channel.localAddress }

    /// Writes `items` in order and flushes once: a batch of proposals or commits costs one system call, not one
    /// per packet. A `.snapshot` must directly follow its SNAP packet (`LearnerStreamItem.snapshotSync`).
    public func send(_ items: [LearnerStreamItem]) {
        guard !items.isEmpty else { return }
        let channel = channel
        channel.eventLoop.execute {
            Self.write(items, to: channel)
        }
    }

    /// Packets are encoded into one buffer, so the batch is one write through the pipeline; a snapshot's bytes go
    /// out as they are (no copy of a possibly large tree), followed by its signature.
    private static func write(_ items: [LearnerStreamItem], to channel: any Channel) {
        var batch = channel.allocator.buffer(capacity: 256)
        for item in items {
            guard case .snapshot(let snapshot) = item else {
                item.encode(to: &batch)
                continue
            }
            if batch.readableBytes > 0 {
                channel.write(batch, promise: nil)
                batch = channel.allocator.buffer(capacity: 256)
            }
            channel.write(snapshot, promise: nil)
            batch.writeJuteString(LearnerStreamDecoder.snapshotSignature)
        }
        channel.write(batch, promise: nil)
        channel.flush()
    }

    /// Writes a SNAP sync in the order a learner reads it: the SNAP packet, the snapshot and its signature, then
    /// `packets` (the NEWLEADER that ends the sync, usually), all in one flush.
    public func sendSnapshotSync(zxid: Int64, snapshot: ByteBuffer, followedBy packets: [QuorumPacket]) {
        send(LearnerStreamItem.snapshotSync(zxid: zxid, snapshot: snapshot) + packets.map(LearnerStreamItem.packet))
    }

    public func close() {
        channel.close(promise: nil)
    }

    public static func == (lhs: LearnerConnection, rhs: LearnerConnection) -> Bool {
        lhs.channel === rhs.channel
    }

    /// The handle holds its channel, so the identity is not reused while anyone can still compare with it.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(channel))
    }

    public var description: String {
        "learner connection \(remoteAddress.map { "\($0)" } ?? "?")"
    }
}

/// What happens on a learner-port connection, in order, delivered on the connection's event loop.
public enum LearnerConnectionEvent: Sendable {
    case opened(LearnerConnection)
    case received(LearnerConnection, LearnerStreamItem)
    /// The connection is gone. `reason` says why when we closed it over an error (a malformed stream, a reset);
    /// nil when it simply ended.
    case closed(LearnerConnection, reason: String?)
}
