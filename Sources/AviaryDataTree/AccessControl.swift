import AviaryWire

/// ACL evaluation and fix-up, with ZooKeeper's built-in schemes: world, auth, digest, ip, and the super user.
///
/// A session's identities (`authInfo`) always include `ip:<client address>`; `digest` identities are added by
/// `addauth`, and `super:` when the digest matches the configured super digest.
public enum AccessControl {
    /// Schemes whose identities count as authenticated users when an `auth` ACL is expanded.
    static let authenticatedSchemes: Set<String> = ["digest", "x509", "sasl"]

    /// Throws noAuth unless one of `authInfo` holds `permission` on `acl`.
    public static func check(_ acl: [ACL], _ permission: Permissions, authInfo: [Id]) throws(KeeperError) {
        if acl.isEmpty { return }
        if authInfo.contains(where: { $0.scheme == "super" }) { return }
        for entry in acl where entry.perms & permission.rawValue != 0 {
            if entry.id.scheme == "world" && entry.id.id == "anyone" { return }
            for identity in authInfo where identity.scheme == entry.id.scheme {
                if matches(scheme: entry.id.scheme, identity: identity.id, aclId: entry.id.id) { return }
            }
        }
        throw .noAuth
    }

    static func matches(scheme: String, identity: String, aclId: String) -> Bool {
        switch scheme {
        case "ip": IPAddressPattern(aclId)?.contains(identity) ?? false
        case "digest", "x509", "sasl": identity == aclId
        default: false
        }
    }

    /// ZooKeeper's `fixupACL`: drops duplicates, expands `auth` to the session's authenticated identities and
    /// rejects lists that are empty or name an unknown scheme or a malformed id.
    public static func fixup(_ acl: [ACL], authInfo: [Id]) throws(KeeperError) -> [ACL] {
        var unique: [ACL] = []
        for entry in acl where !unique.contains(entry) {
            unique.append(entry)
        }
        if unique.isEmpty { throw .invalidACL }
        var result: [ACL] = []
        for entry in unique {
            switch entry.id.scheme {
            case "world" where entry.id.id == "anyone":
                result.append(entry)
            case "auth":
                let users = authInfo.filter { authenticatedSchemes.contains($0.scheme) }
                if users.isEmpty { throw .invalidACL }
                result.append(contentsOf: users.map { ACL(perms: entry.perms, id: $0) })
            case "digest":
                // Java's `split(":")` drops trailing empty parts: "alice:" is one part, "alice:hash:" two.
                var parts = entry.id.id.split(separator: ":", omittingEmptySubsequences: false)
                while parts.last?.isEmpty == true { parts.removeLast() }
                guard parts.count == 2 else { throw .invalidACL }
                result.append(entry)
            case "ip":
                guard IPAddressPattern(entry.id.id) != nil else { throw .invalidACL }
                result.append(entry)
            case "x509", "sasl":
                result.append(entry)
            default:
                throw .invalidACL
            }
        }
        return result
    }

    /// The ACL a reader without ADMIN sees: digest hashes are replaced by `x`.
    public static func masked(_ acl: [ACL]) -> [ACL] {
        acl.map { entry in
            guard entry.id.scheme == "digest" else { return entry }
            let user = entry.id.id.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return ACL(perms: entry.perms, id: Id(scheme: "digest", id: user + ":x"))
        }
    }
}
