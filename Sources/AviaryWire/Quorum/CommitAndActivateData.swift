import NIOCore

/// The data of COMMITANDACTIVATE: the commit of a reconfig, naming the server the leader suggests should lead the
/// new configuration. The config itself is in the committed txn (a setData of /zookeeper/config).
///
///     CommitAndActivateData = long suggestedLeaderId
public struct CommitAndActivateData: JuteRecord, Sendable, Hashable {
    public var suggestedLeaderId: Int64

    public init(suggestedLeaderId: Int64) {
        self.suggestedLeaderId = suggestedLeaderId
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        suggestedLeaderId = try reader.readLong("suggestedLeaderId")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(suggestedLeaderId)
    }
}
