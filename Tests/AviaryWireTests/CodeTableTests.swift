import AviaryWire
import Testing

/// Opcodes and error codes carry ZooKeeper's numbers (`ZooDefs.OpCode`, `KeeperException.Code`).
struct CodeTableTests {
    @Test(
        arguments: [
            (0, "notification"), (1, "create"), (2, "delete"), (3, "exists"), (4, "getData"), (5, "setData"),
            (6, "getACL"), (7, "setACL"), (8, "getChildren"), (9, "sync"), (11, "ping"), (12, "getChildren2"),
            (13, "check"), (14, "multi"), (15, "create2"), (16, "reconfig"), (17, "checkWatches"),
            (18, "removeWatches"), (19, "createContainer"), (20, "deleteContainer"), (21, "createTTL"),
            (22, "multiRead"), (100, "auth"), (101, "setWatches"), (102, "sasl"), (103, "getEphemerals"),
            (104, "getAllChildrenNumber"), (105, "setWatches2"), (106, "addWatch"), (107, "whoAmI"),
            (-10, "createSession"), (-11, "closeSession"), (-1, "error"),
        ] as [(Int32, String)])
    func opCodeHasZooKeepersNumberAndName(number: Int32, name: String) {
        #expect(OpCode(rawValue: number)?.name == name)
    }

    @Test func unassignedOpCodeNumbersAreUnknown() {
        for number: Int32 in [10, 23, 99, 108, -2, -12] {
            #expect(OpCode(rawValue: number) == nil, "opcode \(number)")
        }
        #expect(OpCode.allCases.count == 33)
    }

    @Test func exactlyZooKeepersWriteOpCodesBecomeTransactions() {
        let writes = Set(OpCode.allCases.filter(\.isWrite).map(\.rawValue))
        let expected: Set<Int32> = [1, 15, 21, 19, 2, 20, 5, 7, 13, 14, 16, -10, -11]
        #expect(writes == expected)
    }

    @Test(
        arguments: [
            (-1, "SYSTEMERROR"), (-2, "RUNTIMEINCONSISTENCY"), (-3, "DATAINCONSISTENCY"), (-4, "CONNECTIONLOSS"),
            (-5, "MARSHALLINGERROR"), (-6, "UNIMPLEMENTED"), (-7, "OPERATIONTIMEOUT"), (-8, "BADARGUMENTS"),
            (-12, "UNKNOWNSESSION"), (-13, "NEWCONFIGNOQUORUM"), (-14, "RECONFIGINPROGRESS"), (-100, "APIERROR"),
            (-101, "NONODE"), (-102, "NOAUTH"), (-103, "BADVERSION"), (-108, "NOCHILDRENFOREPHEMERALS"),
            (-110, "NODEEXISTS"), (-111, "NOTEMPTY"), (-112, "SESSIONEXPIRED"), (-113, "INVALIDCALLBACK"),
            (-114, "INVALIDACL"), (-115, "AUTHFAILED"), (-118, "SESSIONMOVED"), (-119, "NOTREADONLY"),
            (-120, "EPHEMERALONLOCALSESSION"), (-121, "NOWATCHER"), (-122, "REQUESTTIMEOUT"),
            (-123, "RECONFIGDISABLED"), (-124, "SESSIONCLOSEDREQUIRESASLAUTH"), (-125, "QUOTAEXCEEDED"),
            (-127, "THROTTLEDOP"),
        ] as [(Int32, String)])
    func errorCodeHasZooKeepersNumber(code: Int32, name: String) {
        #expect(KeeperError(rawValue: code).map(GoldenRendering.zooKeeperName) == name)
    }

    @Test func unassignedErrorCodesAreUnknown() {
        for code: Int32 in [0, -9, -10, -11, -104, -105, -106, -107, -109, -116, -117, -126] {
            #expect(KeeperError(rawValue: code) == nil, "code \(code)")
        }
        #expect(KeeperError.allCases.count == 31)
    }

    /// Logs and error messages print KeeperError; printing one must not recurse into itself.
    @Test func keeperErrorDescriptionNamesTheCaseAndTheCode() async {
        await #expect(processExitsWith: .success) {
            precondition(KeeperError.noNode.description == "noNode(-101)")
            precondition("\(KeeperError.badVersion)" == "badVersion(-103)")
        }
    }
}
