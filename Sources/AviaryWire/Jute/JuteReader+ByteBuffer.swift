import NIOCore

// Quorum packets carry other records (txns, learner info, snapshots) inside their `buffer` field. Reading that
// field as a slice of the received bytes, rather than copying it into an array, lets a PROPOSAL's txn go to the
// log and a SNAP's tree go to the loader without another copy.

extension JuteReader {
    /// A jute `buffer` as a slice of the input; nil when the length is -1.
    public mutating func readByteBuffer(_ field: String = "buffer") throws(JuteError) -> ByteBuffer? {
        let length = try readInt(field)
        if length == -1 { return nil }
        guard length >= 0, let slice = buffer.readSlice(length: Int(length)) else {
            throw .badLength(field: field, length: length)
        }
        return slice
    }
}

extension ByteBuffer {
    /// Writes a jute `buffer` from another ByteBuffer's readable bytes (-1 for nil).
    public mutating func writeJuteByteBuffer(_ bytes: ByteBuffer?) {
        guard var bytes else {
            writeJuteInt(-1)
            return
        }
        writeJuteInt(Int32(bytes.readableBytes))
        writeBuffer(&bytes)
    }
}
