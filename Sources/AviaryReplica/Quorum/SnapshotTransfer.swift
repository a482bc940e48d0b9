import AviaryDataTree
import AviaryWire
import NIOCore

/// The state a leader sends after SNAP (ZooKeeper's `ZKDatabase.serializeSnapshot`): the sessions with their
/// timeouts, then the tree section of a snapshot. No file header and no digest; the stream adds the signature.
///
///     SnapshotTransfer = int count, count * (long sessionId, int timeout), tree
public enum SnapshotTransfer {
    public static func encode(tree: DataTree, sessions: [(id: Int64, timeoutMillis: Int32)]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        buffer.writeJuteInt(Int32(sessions.count))
        for session in sessions.sorted(by: { $0.id < $1.id }) {
            buffer.writeJuteLong(session.id)
            buffer.writeJuteInt(session.timeoutMillis)
        }
        // One buffer: the stream writes it whole, so there is nothing to gain from chunks here.
        tree.serializeSnapshotTree(into: &buffer, flushAtBytes: .max) { _ in }
        return buffer
    }

    public struct Decoded: Sendable {
        public var tree: DataTree
        public var sessions: [(id: Int64, timeoutMillis: Int32)]
    }

    public static func decode(_ data: ByteBuffer, zxid: Int64) throws -> Decoded {
        var reader = JuteReader(data)
        let count = try reader.readInt("session count")
        guard count >= 0, Int(count) <= reader.remainingBytes / 12 else {
            throw SnapshotTreeError("session count \(count) does not fit in the transferred snapshot")
        }
        var sessions: [(id: Int64, timeoutMillis: Int32)] = []
        sessions.reserveCapacity(Int(count))
        for _ in 0..<count {
            sessions.append((try reader.readLong("session id"), try reader.readInt("timeout")))
        }
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: zxid)
        return Decoded(tree: tree, sessions: sessions)
    }
}
