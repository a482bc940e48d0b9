import NIOCore

/// Why a jute record could not be decoded. Any of these closes the offending connection.
public enum JuteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended inside a field.
    case truncated(field: String)
    /// A length prefix is negative (other than the -1 that means null) or larger than the bytes left.
    case badLength(field: String, length: Int32)
    /// A null appeared where the record needs a value.
    case unexpectedNull(field: String)
    /// The frame holds bytes after the last field of its record.
    case trailingBytes(count: Int)
    /// A value is outside the range the record allows (an unknown opcode inside multi, say).
    case invalidValue(field: String, value: Int64)

    public var description: String {
        switch self {
        case .truncated(let field): "input ended inside \(field)"
        case .badLength(let field, let length): "bad length \(length) for \(field)"
        case .unexpectedNull(let field): "null \(field)"
        case .trailingBytes(let count): "\(count) unexpected trailing bytes"
        case .invalidValue(let field, let value): "invalid \(field) \(value)"
        }
    }
}

/// Reads jute's binary encoding (big-endian, length-prefixed buffers and strings, -1 for null) from a ByteBuffer.
///
/// Lengths are checked against the bytes actually present before anything is allocated, so a hostile
/// length prefix costs nothing.
public struct JuteReader {
    public var buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public var isAtEnd: Bool { buffer.readableBytes == 0 }
    public var remainingBytes: Int { buffer.readableBytes }

    public mutating func readInt(_ field: String = "int") throws(JuteError) -> Int32 {
        guard let value = buffer.readInteger(endianness: .big, as: Int32.self) else {
            throw .truncated(field: field)
        }
        return value
    }

    public mutating func readLong(_ field: String = "long") throws(JuteError) -> Int64 {
        guard let value = buffer.readInteger(endianness: .big, as: Int64.self) else {
            throw .truncated(field: field)
        }
        return value
    }

    public mutating func readBool(_ field: String = "boolean") throws(JuteError) -> Bool {
        guard let value = buffer.readInteger(as: UInt8.self) else { throw .truncated(field: field) }
        return value != 0
    }

    /// A jute `buffer`; nil when the length is -1.
    public mutating func readBuffer(_ field: String = "buffer") throws(JuteError) -> [UInt8]? {
        try readByteBuffer(field).map { Array($0.readableBytesView) }
    }

    /// A jute `ustring`; nil when the length is -1. Invalid UTF-8 is replaced, as Java's decoder does.
    public mutating func readOptionalString(_ field: String = "string") throws(JuteError) -> String? {
        let length = try readInt(field)
        if length == -1 { return nil }
        guard length >= 0, Int(length) <= buffer.readableBytes else { throw .badLength(field: field, length: length) }
        let view = buffer.readableBytesView.prefix(Int(length))
        let string = String(decoding: view, as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: Int(length))
        return string
    }

    public mutating func readString(_ field: String = "string") throws(JuteError) -> String {
        guard let string = try readOptionalString(field) else { throw .unexpectedNull(field: field) }
        return string
    }

    /// A jute `vector`; nil when the count is -1. Each element takes at least one byte, which bounds the count.
    public mutating func readOptionalVector<Element>(
        _ field: String = "vector",
        _ element: (inout JuteReader) throws(JuteError) -> Element
    ) throws(JuteError) -> [Element]? {
        let count = try readInt(field)
        if count == -1 { return nil }
        guard count >= 0, Int(count) <= buffer.readableBytes else { throw .badLength(field: field, length: count) }
        var elements: [Element] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            elements.append(try element(&self))
        }
        return elements
    }

    /// A vector where null decodes as empty, as ZooKeeper's server treats it.
    public mutating func readVector<Element>(
        _ field: String = "vector",
        _ element: (inout JuteReader) throws(JuteError) -> Element
    ) throws(JuteError) -> [Element] {
        try readOptionalVector(field, element) ?? []
    }

    public mutating func readStrings(_ field: String = "strings") throws(JuteError) -> [String] {
        try readVector(field) { (reader: inout JuteReader) throws(JuteError) in try reader.readString(field) }
    }

    public mutating func read<Record: JuteDecodable>(_ type: Record.Type = Record.self) throws(JuteError) -> Record {
        try Record(from: &self)
    }

    public func expectEnd() throws(JuteError) {
        if buffer.readableBytes > 0 { throw .trailingBytes(count: buffer.readableBytes) }
    }
}

public protocol JuteDecodable {
    init(from reader: inout JuteReader) throws(JuteError)
}

public protocol JuteEncodable {
    func encode(to buffer: inout ByteBuffer)
}

public typealias JuteRecord = JuteDecodable & JuteEncodable

extension JuteDecodable {
    /// Decodes a whole frame, refusing trailing bytes.
    public static func decode(from buffer: ByteBuffer) throws(JuteError) -> Self {
        var reader = JuteReader(buffer)
        let record = try Self(from: &reader)
        try reader.expectEnd()
        return record
    }
}

extension JuteEncodable {
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        encode(to: &buffer)
        return buffer
    }
}
