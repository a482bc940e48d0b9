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
}
