/// An `ip` ACL id: an IPv4 address with an optional prefix length (`10.0.0.0/8`).
struct IPAddressPattern {
    let bytes: [UInt8]
    let prefixBits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = Self.parseAddress(String(parts[0])) else { return nil }
        bytes = address
        if parts.count == 2 {
            guard let bits = Int(parts[1]), bits >= 0, bits <= address.count * 8 else { return nil }
            prefixBits = bits
        } else {
            prefixBits = address.count * 8
        }
    }

    func contains(_ addressText: String) -> Bool {
        guard let address = Self.parseAddress(addressText), address.count == bytes.count else { return false }
        var remaining = prefixBits
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address[index] & mask != bytes[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// IPv4 only, as ZooKeeper 3.8's ip provider (IPv6 arrived in 3.9). Each octet is a decimal 0–255.
    static func parseAddress(_ text: String) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var result: [UInt8] = []
        for octet in octets {
            guard let value = Int(octet), (0...255).contains(value) else { return nil }
            result.append(UInt8(value))
        }
        return result
    }
}
