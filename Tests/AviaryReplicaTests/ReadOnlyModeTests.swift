import AviaryConsensus
import AviaryDataTree
import AviaryReplica
import AviaryWire
import Testing

/// A member that has been looking for a leader for a while, with `readonlymode.enabled`: reads for clients that
/// accept a read-only server, nothing else.
struct ReadOnlyModeTests {
    static let tick: Int64 = 500

    /// Server 1 of three whose peers never answer: it stays looking from `start`.
    static func isolatedMember(readOnly: Bool) -> ReplicaHarness {
        let configuration = ReplicaConfiguration(
            serverId: 1, tickTimeMillis: Int(tick), readOnlyModeEnabled: readOnly)
        var tree = DataTree()
        var pending = PendingChanges()
        let context = PrepareContext(sessionId: 0, zxid: 1, time: 0, authInfo: [], extendedTypesEnabled: false)
        let body = try! tree.prepare(
            .create(CreateRequest(path: "/kept", data: Array("v".utf8), acl: ACL.openUnsafe, flags: 0), opCode: .create),
            context: context, pending: &pending)
        var notifications: [WatchNotification] = []
        _ = tree.apply(
            Txn(header: TxnHeader(clientId: 0, cxid: 0, zxid: 1, time: 0, type: OpCode.create.rawValue), body: body),
            notifications: &notifications)
        let consensus = QuorumPeer<Txn>(
            configuration: ConsensusConfiguration(
                myId: 1, membership: QuorumMembership(participants: [1, 2, 3]), tickTimeMillis: tick),
            acceptedEpoch: 0, currentEpoch: 0, lastLoggedZxid: 1)
        var harness = ReplicaHarness(configuration: configuration)
        harness.replica = Replica(configuration: configuration, tree: tree, sessionSeedMillis: 0, consensus: consensus)
        harness.handle(.start(now: 0))
        return harness
    }

    static func connect(_ harness: inout ReplicaHarness, _ connection: ConnectionID, readOnly: Bool) -> [String] {
        harness.handle(
            .connect(
                connection, ConnectRequest(lastZxidSeen: 0, timeOutMillis: 4000, sessionId: 0, readOnly: readOnly),
                address: ReplicaHarness.address))
    }

    @Test func readOnlyServiceStartsOnlyAfterLookingForAWhile() {
        var harness = Self.isolatedMember(readOnly: true)
        harness.handle(.clock(now: 1999))
        #expect(!harness.replica.isReadOnly)
        #expect(Self.connect(&harness, 1, readOnly: true) == ["c1 close"])
        harness.handle(.clock(now: 2000))
        #expect(harness.replica.isReadOnly)
        #expect(Self.connect(&harness, 2, readOnly: true) == ["c2 connected session=0x100000000000000 timeout=4000"])
        guard case .connectResponse(_, let response) = harness.lastEffects.first else {
            Issue.record("no connect response")
            return
        }
        #expect(response.readOnly)
    }

    @Test func readsAreServedAndWritesRefusedWithoutATransaction() {
        var harness = Self.isolatedMember(readOnly: true)
        harness.handle(.clock(now: 2000))
        _ = Self.connect(&harness, 1, readOnly: true)
        #expect(harness.send(1, xid: 1, .getData(PathWatchRequest(path: "/kept", watch: false))) == ["c1 reply xid=1 zxid=1 err=0 data=v"])
        #expect(
            harness.send(1, xid: 2, .setData(SetDataRequest(path: "/kept", data: [], version: -1)))
                == ["c1 reply xid=2 zxid=1 err=-119"])
        #expect(harness.send(1, xid: 3, .sync(PathRequest(path: "/kept"))) == ["c1 reply xid=3 zxid=1 err=-119"])
        #expect(harness.logged.isEmpty)
    }

    @Test func clientsThatDoNotAcceptReadOnlyAndSessionsOfTheEnsembleAreTurnedAway() {
        var harness = Self.isolatedMember(readOnly: true)
        harness.handle(.clock(now: 2000))
        #expect(Self.connect(&harness, 1, readOnly: false) == ["c1 close"])
        let ensembleSession: Int64 = 0x0200_0000_0000_0001
        let request = ConnectRequest(
            lastZxidSeen: 0, timeOutMillis: 4000, sessionId: ensembleSession,
            passwd: SessionPassword.derive(sessionId: ensembleSession), readOnly: true)
        #expect(harness.handle(.connect(2, request, address: ReplicaHarness.address)) == ["c2 close"])
    }

    @Test func withoutTheSwitchAMemberWithoutLeaderServesNobody() {
        var harness = Self.isolatedMember(readOnly: false)
        harness.handle(.clock(now: 60_000))
        #expect(!harness.replica.isReadOnly)
        #expect(Self.connect(&harness, 1, readOnly: true) == ["c1 close"])
    }
}
