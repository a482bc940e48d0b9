import NIOCore

/// Jute's binary encoding, written straight into a ByteBuffer.
extension ByteBuffer {
    public mutating func writeJuteInt(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeJuteLong(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeJuteBool(_ value: Bool) {
        writeInteger(value ? UInt8(1) : UInt8(0))
    }

    public mutating func writeJuteBuffer(_ bytes: [UInt8]?) {
        guard let bytes else {
            writeJuteInt(-1)
            return
        }
        writeJuteInt(Int32(bytes.count))
        writeBytes(bytes)
    }

    public mutating func writeJuteString(_ string: String?) {
        guard let string else {
            writeJuteInt(-1)
            return
        }
        // Reserve the length slot, write the UTF-8 bytes, then fill the slot: one pass over the string.
        let lengthIndex = writerIndex
        writeJuteInt(0)
        let written = writeString(string)
        setInteger(Int32(written), at: lengthIndex, endianness: .big)
    }

    public mutating func writeJuteVector<Element>(_ elements: [Element]?, _ write: (inout ByteBuffer, Element) -> Void) {
        guard let elements else {
            writeJuteInt(-1)
            return
        }
        writeJuteInt(Int32(elements.count))
        for element in elements {
            write(&self, element)
        }
    }

    public mutating func writeJuteStrings(_ strings: [String]?) {
        writeJuteVector(strings) { buffer, string in buffer.writeJuteString(string) }
    }

    public mutating func writeJute<Record: JuteEncodable>(_ record: Record) {
        record.encode(to: &self)
    }
}
