/// Fills memory reserved ahead with integers, most significant byte first, and raw bytes. The snapshot writer
/// lays out each node's whole record this way in one reservation instead of one checked ByteBuffer write per
/// field, which on a large tree was a fifth of a snapshot's time.
struct BigEndianStore {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes written so far; the next write goes here.
    private(set) var offset = 0

    init(_ memory: UnsafeMutableRawBufferPointer) {
        self.memory = memory
    }

    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        precondition(offset + MemoryLayout<Value>.size <= memory.count)
        memory.storeBytes(of: value.bigEndian, toByteOffset: offset, as: Value.self)
        offset += MemoryLayout<Value>.size
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(offset + bytes.count <= memory.count)
        (memory.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }
}
