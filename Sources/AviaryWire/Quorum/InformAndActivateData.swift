import NIOCore

/// The data of INFORMANDACTIVATE: COMMITANDACTIVATE for observers, which never saw the proposal, so the txn
/// (as logged) follows the suggested leader.
///
///     InformAndActivateData = long suggestedLeaderId, byte[*] txn      ; the txn fills the rest
public struct InformAndActivateData: JuteRecord, Sendable, Hashable {
    public var suggestedLeaderId: Int64
    public var txn: ByteBuffer

    public init(suggestedLeaderId: Int64, txn: ByteBuffer) {
        self.suggestedLeaderId = suggestedLeaderId
        self.txn = txn
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        suggestedLeaderId = try reader.readLong("suggestedLeaderId")
        txn = reader.buffer.readSlice(length: reader.remainingBytes)!
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(suggestedLeaderId)
        buffer.writeImmutableBuffer(txn)
    }
}
