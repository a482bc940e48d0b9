import AviaryClient
import AviaryShell
import Testing

struct FormattingTests {
    @Test func aclIdKeepsItsInnerColons() throws {
        let acl = try ACLText.parse("digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:cdrwa,ip:10.0.0.0/8:r", path: "/a")
        #expect(acl == [
            ACL(.all, Id(scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")),
            ACL(.read, Id(scheme: "ip", id: "10.0.0.0/8")),
        ])
    }

    @Test func badACLFailsWithInvalidACLStatus() {
        for text in ["world:anyone:x", "nocolons", "world:r"] {
            do {
                _ = try ACLText.parse(text, path: "/a")
                Issue.record("parsed \(text)")
            } catch {
                #expect(error.status == 114)
                #expect(error.message.hasSuffix("Acl is not valid : /a"))
            }
        }
    }

    @Test func aclListingIsZkClis() {
        let lines = ACLText.listing([ACL(.all, .anyone), ACL([.read, .admin], Id(scheme: "digest", id: "bob:h"))])
        #expect(lines == ["'world,'anyone", ": cdrwa", "'digest,'bob:h", ": ra"])
    }

    @Test func statLinesUseJavaHexAndNames() {
        let stat = Stat(czxid: 0x1f, mzxid: 0x20, version: 2, cversion: 1, aversion: 3, ephemeralOwner: -1, dataLength: 5, numChildren: 4, pzxid: 0x21)
        let lines = StatText.lines(stat)
        #expect(lines.count == 11)
        #expect(lines[0] == "cZxid = 0x1f")
        #expect(lines[2] == "mZxid = 0x20")
        #expect(lines[4] == "pZxid = 0x21")
        #expect(lines[5...] == ["cversion = 1", "dataVersion = 2", "aclVersion = 3", "ephemeralOwner = 0xffffffffffffffff", "dataLength = 5", "numChildren = 4"])
    }

    @Test func datesLookLikeJavasDateToString() throws {
        let text = StatText.javaDate(millis: 1_700_000_000_123)
        let shape = try Regex(#"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ \d{4}$"#)
        #expect(text.wholeMatch(of: shape) != nil, "\(text)")
    }

    @Test func eventsReadAsJavasWatchedEvent() {
        let event = WatchEvent(type: .nodeDataChanged, path: "/a")
        #expect(EventText.event(event) == "WatchedEvent state:SyncConnected type:NodeDataChanged path:/a")
        #expect(EventText.watcherBlock(event) == "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/a\n")
        let state = WatchEvent(type: .none, state: .disconnected, path: "")
        #expect(EventText.event(state) == "WatchedEvent state:Disconnected type:None path:null")
    }

    @Test func listsReadAsJavasListToString() {
        #expect(EventText.list([]) == "[]")
        #expect(EventText.list(["a", "b"]) == "[a, b]")
    }

    @Test func promptStatesAreZooKeeperStates() {
        #expect(EventText.promptState(.connected) == "CONNECTED")
        #expect(EventText.promptState(.disconnected) == "CONNECTING")
        #expect(EventText.promptState(nil) == "CLOSED")
    }

    @Test func clientConfigListsClientAddresses() {
        let config = "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=h2:2888:3888;2182\nversion=100000000"
        #expect(ClientConfigText.summary(config) == "100000000 0.0.0.0:2181,0.0.0.0:2182")
        #expect(ClientConfigText.summary("") == " ")
    }
}
