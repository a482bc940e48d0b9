import AviaryStorage
import AviaryWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import AviaryServer

/// The log thread and a thread that waits for its syncs instead of being told of them (the event loop of a server
/// with one lone writer): the wait must end only once the transactions are in the file, and not hang when nothing
/// is coming.
@Suite struct TransactionLogServiceTests {
    private static func create(_ zxid: Int64, _ path: String) -> Txn {
        let body = TxnBody.create(
            path: path, data: Array("data of \(path)".utf8), acl: ACL.openUnsafe, ephemeral: false, parentCVersion: -1,
            opCode: .create)
        return Txn(header: TxnHeader(clientId: 7, cxid: 1, zxid: zxid, time: 1, type: body.opCode.rawValue), body: body)
    }

    private static func withService(
        _ body: (TransactionLogService, String, NIOLockedValueBox<[Int64]>) throws -> Void
    ) throws {
        let directory = FileManager.default.temporaryDirectory.path + "/aviary-txnlog-service-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reported = NIOLockedValueBox<[Int64]>([])
        let service = TransactionLogService(
            writer: try TxnLogWriter(directory: directory, preallocationBytes: 0, forceSync: true),
            logger: Logger(label: "test"), snapshotEvery: { 1_000_000 }, snapshotEveryBytes: { nil },
            callbacks: .init(
                durable: { zxid in reported.withLockedValue { $0.append(zxid) } }, rolled: {}, failed: { _ in }))
        service.start()
        defer { service.stop() }
        try body(service, directory, reported)
    }

    @Test func aWaiterReturnsOnlyOnceItsTransactionsAreInTheLogFile() throws {
        try Self.withService { service, directory, reported in
            service.append([Self.create(1, "/a"), Self.create(2, "/b")])
            let durable = service.waitUntilDurable(2, nanoseconds: 10_000_000_000)
            #expect(durable == 2)
            var logged: [Int64] = []
            _ = try TxnLogReader(directory: directory).read(after: 0) { logged.append($0.txn.zxid) }
            #expect(logged == [1, 2])
            // The event loop is still told, so a wait that gave up at the wrong moment loses nothing.
            let deadline = Date().addingTimeInterval(10)
            while reported.withLockedValue({ $0.last }) != 2 && Date() < deadline { usleep(1_000) }
            #expect(reported.withLockedValue { $0.last } == 2)
        }
    }

    @Test func aWaiterForAZxidNeverLoggedGivesUpAtItsLimit() throws {
        try Self.withService { service, _, _ in
            service.append([Self.create(1, "/a")])
            #expect(service.waitUntilDurable(1, nanoseconds: 10_000_000_000) == 1)
            #expect(service.waitUntilDurable(2, nanoseconds: 20_000_000) == nil)
        }
    }
}
