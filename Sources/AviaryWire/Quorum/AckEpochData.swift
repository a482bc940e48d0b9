import NIOCore

/// The data of ACKEPOCH: the learner's current epoch, which the leader compares (with the packet's zxid) to make
/// sure no learner has a newer history than its own.
///
///     AckEpochData = int currentEpoch      ; -1: this learner had already accepted the proposed epoch
///
/// An int, although epochs are longs everywhere else: ZooKeeper truncates the epoch here.
public struct AckEpochData: JuteRecord, Sendable, Hashable {
    /// What a learner sends when the proposed epoch equals the one it already accepted: its reply then does not
    /// count as an acknowledgement, only as a report of its last zxid.
    public static let alreadyAccepted: Int32 = -1

    public var currentEpoch: Int32

    public init(currentEpoch: Int32) {
        self.currentEpoch = currentEpoch
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        currentEpoch = try reader.readInt("currentEpoch")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(currentEpoch)
    }
}
