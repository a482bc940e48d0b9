import AviaryWire

/// The order in which ZooKeeper lists a connection's identities (whoAmI): it keeps them in a hash set, so
/// they come out by Java hash bucket. Reproducing that order keeps whoAmI replies identical for clients and
/// tests that compare them.
enum AuthIdentityOrder {
    static func sorted(_ ids: [Id]) -> [Id] {
        var tableSize = 16
        while ids.count > tableSize * 3 / 4 { tableSize *= 2 }
        let keyed = ids.enumerated().map { index, id in (bucket: bucket(of: id, tableSize: tableSize), index: index, id: id) }
        return keyed.sorted { ($0.bucket, $0.index) < ($1.bucket, $1.index) }.map(\.id)
    }

    static func bucket(of id: Id, tableSize: Int) -> Int {
        // jute's generated Id.hashCode: 37 * (37 * 17 + scheme.hashCode()) + id.hashCode().
        var hash: Int32 = 17
        hash = hash &* 37 &+ javaHash(id.scheme)
        hash = hash &* 37 &+ javaHash(id.id)
        let bits = UInt32(bitPattern: hash)
        let spread = (bits ^ (bits >> 16)) & 0x7FFF_FFFF
        return Int(spread) & (tableSize - 1)
    }

    static func javaHash(_ string: String) -> Int32 {
        var hash: Int32 = 0
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }
}
