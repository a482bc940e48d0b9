import NIOCore

/// Walks the readable bytes of a buffer without consuming them, to find where a record without a length frame
/// ends before decoding it. Every read returns nil when the bytes are not there yet.
struct ByteCursor {
    private let buffer: ByteBuffer
    private var index: Int

    init(_ buffer: ByteBuffer, offset: Int = 0) {
        self.buffer = buffer
        self.index = buffer.readerIndex + offset
    }

    /// Bytes walked from the buffer's reader index.
    var offset: Int { index - buffer.readerIndex }

    var availableBytes: Int { buffer.writerIndex - index }

    mutating func readInt() -> Int32? {
        guard let value = buffer.getInteger(at: index, endianness: .big, as: Int32.self) else { return nil }
        index += 4
        return value
    }

    mutating func skip(_ count: Int) -> Bool {
        guard availableBytes >= count else { return false }
        index += count
        return true
    }

    /// The length prefix of a jute `buffer`, `ustring` or `vector`: -1 (null) only when `nullable`, otherwise
    /// 0 or more.
    mutating func readLength(_ field: String, nullable: Bool) throws(LearnerStreamError) -> Int32? {
        guard let length = readInt() else { return nil }
        guard length >= 0 || (nullable && length == -1) else { throw .badLength(field: field, length: length) }
        return length
    }

    /// Whether the next `count` bytes equal `expected`; nil if they have not all arrived.
    func hasPrefix(_ expected: [UInt8]) -> Bool? {
        guard let bytes = buffer.getBytes(at: index, length: expected.count) else { return nil }
        return bytes == expected
    }
}
