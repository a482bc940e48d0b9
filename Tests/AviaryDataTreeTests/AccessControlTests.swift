import AviaryDataTree
import AviaryWire
import Testing

/// `AccessControl.check` and `fixup`: the ip scheme (address or CIDR; IPv4 only, as ZooKeeper 3.8's
/// `IPAuthenticationProvider`), digest, world, super.
struct AccessControlTests {
    static func allows(_ acl: [ACL], _ permission: Permissions, _ identities: [Id]) -> Bool {
        (try? AccessControl.check(acl, permission, authInfo: identities)) != nil
    }

    static func ipAllows(pattern: String, address: String) -> Bool {
        allows([ACL(.read, Id(scheme: "ip", id: pattern))], .read, [Id(scheme: "ip", id: address)])
    }

    @Test(
        arguments: [
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("10.0.0.0/8", "10.255.1.2", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.1.0/24", "192.168.1.77", true),
            ("192.168.1.0/24", "192.168.2.1", false),
            ("192.168.1.128/25", "192.168.1.200", true),
            ("192.168.1.128/25", "192.168.1.100", false),
            ("192.168.1.77/24", "192.168.1.1", true),
            ("172.16.0.0/12", "172.31.255.255", true),
            ("172.16.0.0/12", "172.32.0.0", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("10.0.0.1/32", "10.0.0.1", true),
            ("10.0.0.1/32", "10.0.0.0", false),
            ("10.0.0.0/33", "10.0.0.0", false),
            ("10.0.0.0/-1", "10.0.0.0", false),
            ("10.0.0.0/x", "10.0.0.0", false),
            ("1.2.3", "1.2.3.0", false),
            ("256.1.1.1", "0.1.1.1", false),
            ("010.000.000.001", "10.0.0.1", true),
            ("10.0.0.1", "010.0.0.1", true),
            ("+10.0.0.1", "10.0.0.1", true),
            (" 10.0.0.1", "10.0.0.1", false),
            // ZooKeeper 3.8's ip provider parses IPv4 only: an IPv6 pattern or client address never matches.
            ("127.0.0.1", "::1", false),
            ("0.0.0.0/0", "::1", false),
            ("::1", "::1", false),
            ("2001:db8::/32", "2001:db8:1::5", false),
            ("fe80::/10", "fe80::1", false),
        ] as [(String, String, Bool)])
    func ipACLMatchesAddressesInsideItsPrefix(pattern: String, address: String, allowed: Bool) {
        #expect(Self.ipAllows(pattern: pattern, address: address) == allowed)
    }

    @Test(
        arguments: [
            ("10.0.0.0/8", true), ("10.0.0.1", true), ("10.0.0.0/32", true), ("10.0.0.0/33", false),
            ("10.0.0.0/", false), ("::1", false), ("2001:db8::/48", false), ("host.example", false),
            ("1.2.3.4.5", false), ("", false),
        ] as [(String, Bool)])
    func ipACLIdsAreValidatedWhenSet(id: String, valid: Bool) {
        let fixed = try? AccessControl.fixup([ACL(.all, Id(scheme: "ip", id: id))], authInfo: [])
        #expect((fixed != nil) == valid, "ip:\(id)")
    }

    @Test func permissionIsCheckedBitByBit() {
        let acl = [ACL(perms: Permissions.read.rawValue | Permissions.write.rawValue, id: .anyone)]
        #expect(Self.allows(acl, .read, []))
        #expect(Self.allows(acl, .write, []))
        #expect(!Self.allows(acl, .create, []))
        #expect(!Self.allows(acl, .delete, []))
        #expect(!Self.allows(acl, .admin, []))
    }

    @Test func anyEntryGrantingThePermissionIsEnough() {
        let acl = [
            ACL(.read, TreeFixture.alice), ACL(.write, TreeFixture.bob),
            ACL(.write, Id(scheme: "ip", id: "10.0.0.0/8")),
        ]
        #expect(Self.allows(acl, .write, [TreeFixture.bob]))
        #expect(Self.allows(acl, .write, [Id(scheme: "ip", id: "10.1.2.3")]))
        #expect(!Self.allows(acl, .write, [TreeFixture.alice]))
        #expect(Self.allows(acl, .read, [Id(scheme: "ip", id: "10.1.2.3"), TreeFixture.alice]))
    }

    @Test func digestMatchesTheWholeIdIncludingTheHash() {
        let acl = [ACL(.read, TreeFixture.alice)]
        #expect(Self.allows(acl, .read, [TreeFixture.alice]))
        #expect(!Self.allows(acl, .read, [Id(scheme: "digest", id: "alice:wrong=")]))
        #expect(!Self.allows(acl, .read, [Id(scheme: "ip", id: TreeFixture.alice.id)]))
    }

    @Test func superUserPassesEveryCheck() {
        #expect(Self.allows([ACL(.read, TreeFixture.alice)], .admin, [TreeFixture.superUser]))
    }

    @Test func anEmptyACLAllowsEverything() {
        #expect(Self.allows([], .admin, []))
    }

    @Test func fixupDropsDuplicatesAndKeepsOrder() throws {
        let acl = [ACL(.read, .anyone), ACL(.all, TreeFixture.alice), ACL(.read, .anyone)]
        #expect(try AccessControl.fixup(acl, authInfo: []) == [ACL(.read, .anyone), ACL(.all, TreeFixture.alice)])
    }

    @Test func fixupExpandsAuthToEveryAuthenticatedIdentityButNotIpOrSuper() throws {
        let identities = [Id(scheme: "ip", id: "127.0.0.1"), TreeFixture.alice, TreeFixture.superUser, TreeFixture.bob]
        let fixed = try AccessControl.fixup([ACL(.read, .creator)], authInfo: identities)
        #expect(fixed == [ACL(.read, TreeFixture.alice), ACL(.read, TreeFixture.bob)])
    }
}
