import Testing

@testable import AviaryDataTree

/// The table-sliced CRC-32 against the check value and against a byte-at-a-time reference.
struct CRC32Tests {
    @Test func checkValueOfTheStandardInput() {
        var crc = CRC32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xCBF4_3926)
    }

    @Test func anySplitOfTheInputGivesTheReferenceValue() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for split in [0, 1, 3, 7, 8, 9, 15, 16, 17, 50, 99, 100] {
            var crc = CRC32()
            bytes.withUnsafeBytes { all in
                crc.update(UnsafeRawBufferPointer(rebasing: all[..<split]))
                crc.update(UnsafeRawBufferPointer(rebasing: all[split...]))
            }
            #expect(crc.value == Self.reference(bytes), "split at \(split)")
        }
    }

    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
