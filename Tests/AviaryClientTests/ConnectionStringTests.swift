@testable import AviaryClient
import Testing

struct ConnectionStringTests {
    @Test func serversPortsAndChroot() throws {
        let parsed = try ConnectionString(parsing: "a:1, b:2 ,c/app/x")
        #expect(parsed.servers == [ServerAddress(host: "a", port: 1), ServerAddress(host: "b", port: 2), ServerAddress(host: "c", port: 2181)])
        #expect(parsed.chroot == "/app/x")
        #expect(try ConnectionString(parsing: "[::1]:2182/").servers == [ServerAddress(host: "::1", port: 2182)])
        #expect(try ConnectionString(parsing: "h:1/").chroot == nil)
    }

    @Test(arguments: ["", "/app", "h:0", "h:x", "h:1/a//b", "[::1:5"])
    func malformedStringsAreRefused(text: String) {
        #expect(throws: ZooKeeperError.self) { try ConnectionString(parsing: text) }
    }

    @Test func chrootMapsPathsBothWays() {
        let chroot = Chroot("/app")
        #expect(chroot.serverPath("/") == "/app")
        #expect(chroot.serverPath("/a") == "/app/a")
        #expect(chroot.clientPath("/app") == "/")
        #expect(chroot.clientPath("/app/a/b") == "/a/b")
        #expect(chroot.clientPath("/apple") == "/apple")
        #expect(Chroot(nil).serverPath("/a") == "/a")
    }

    /// The client refuses what ZooKeeper's PathUtils refuses before anything is sent: a relative path, an empty
    /// component, a trailing slash; a sequential create may end in "/" (the server appends the counter), but that
    /// prefix must still have no empty component.
    @Test(arguments: [
        ("/", false, true), ("/a", false, true), ("/a/b", false, true), ("a", false, false), ("", false, false),
        ("/a/", false, false), ("/a/", true, true), ("/a//b", false, false), ("//", false, false),
        ("/a//", true, false), ("/a/b//", true, false), ("/é/ü", false, true),
    ])
    func pathsTheClientSends(path: String, sequential: Bool, valid: Bool) {
        #expect(Chroot.isValid(path, allowTrailingSlash: sequential) == valid)
    }
}
