import NIOSSL
import SwiftASN1
import X509

/// A certificate subject written as Java's `X500Principal.getName()` writes it (RFC 2253): the most specific
/// part first, short keywords for the attributes RFC 2253 names and dotted OIDs with hex DER values for the rest,
/// special characters escaped. ZooKeeper's x509 authentication uses this string as the client's id, so ACLs
/// written for ZooKeeper match the same certificates on Aviary.
public enum CertificateSubject {
    /// The subject of `certificate`, or nil if it does not parse.
    public static func rfc2253(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
            return nil
        }
        return rfc2253(parsed.subject)
    }

    public static func rfc2253(_ name: DistinguishedName) -> String {
        name.reversed().map { rdn in
            rdn.map(attribute).joined(separator: "+")
        }.joined(separator: ",")
    }

    private static let keywords: [ASN1ObjectIdentifier: String] = [
        .RDNAttributeType.commonName: "CN",
        .RDNAttributeType.countryName: "C",
        .RDNAttributeType.localityName: "L",
        .RDNAttributeType.stateOrProvinceName: "ST",
        .RDNAttributeType.organizationName: "O",
        .RDNAttributeType.organizationalUnitName: "OU",
        .RDNAttributeType.streetAddress: "STREET",
        .RDNAttributeType.domainComponent: "DC",
        [0, 9, 2342, 19_200_300, 100, 1, 1]: "UID",
    ]

    private static func attribute(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        if let keyword = keywords[attribute.type], let text = String(attribute.value) {
            return "\(keyword)=\(escape(text))"
        }
        var serializer = DER.Serializer()
        let hex: String
        if (try? serializer.serialize(ASN1Any(attribute.value))) != nil {
            hex = serializer.serializedBytes.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        } else {
            hex = ""
        }
        return "\(attribute.type)=#\(hex)"
    }

    /// RFC 2253 §2.4: `,+"\<>;` anywhere, `#` or a space at the start and a space at the end take a backslash.
    static func escape(_ value: String) -> String {
        var escaped = ""
        let characters = Array(value)
        for (index, character) in characters.enumerated() {
            let special = ",+\"\\<>;".contains(character)
            let leading = index == 0 && (character == "#" || character == " ")
            let trailing = index == characters.count - 1 && character == " "
            if special || leading || trailing { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
