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
        // Reserve the length slot, write the bytes, then fill the slot.
        let lengthIndex = writerIndex
        writeJuteInt(0)
        let utf8 = string.utf8
        // Java's jute writes each UTF-16 unit on its own (CESU-8), so a character outside the Basic Multilingual
        // Plane becomes two 3-byte surrogates rather than one 4-byte sequence. Clients expect those bytes.
        let written: Int
        if utf8.contains(where: { $0 >= 0xF0 }) {
            written = writeCESU8(string)
        } else {
            written = writeString(string)
        }
        setInteger(Int32(written), at: lengthIndex, endianness: .big)
    }

    private mutating func writeCESU8(_ string: String) -> Int {
        var count = 0
        for unit in string.utf16 {
            if unit < 0x80 {
                writeInteger(UInt8(unit))
                count += 1
            } else if unit < 0x800 {
                writeInteger(UInt8(0xC0 | (unit >> 6)))
                writeInteger(UInt8(0x80 | (unit & 0x3F)))
                count += 2
            } else {
                writeInteger(UInt8(0xE0 | (unit >> 12)))
                writeInteger(UInt8(0x80 | ((unit >> 6) & 0x3F)))
                writeInteger(UInt8(0x80 | (unit & 0x3F)))
                count += 3
            }
        }
        return count
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
