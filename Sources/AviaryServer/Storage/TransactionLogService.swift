import AviaryStorage
import AviaryWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import Synchronization

/// The single writer of the transaction log, on a thread of its own.
///
/// Group commit: the event loop hands over transactions as the replica produces them; the thread takes
/// everything queued, appends it, and fsyncs once. Under load many transactions share an fsync; when idle a
/// lone transaction is written and synced at once. Durability is reported back only after the sync, and is
/// published for a thread that waits for it instead (`waitUntilDurable`).
///
/// Between batches the thread spins for up to 250 µs before it sleeps. A client that writes one request at a
/// time sends its next write a round trip after the previous reply, and on a virtual machine waking a sleeping
/// thread costs a good part of that round trip: spinning gave one writer 13–18 % more sets/s. The spin yields
/// the core at each turn, since the event loop may need it (without yielding, 64 writers lost 15 % on two
/// cores). When the last wait outlasted the spin, the next wait sleeps at once, so writes that come less often
/// than every 250 µs cost no spinning.
final class TransactionLogService: @unchecked Sendable {
    struct Callbacks: Sendable {
        /// Everything up to this zxid is durable.
        var durable: @Sendable (Int64) -> Void
        /// The log rolled to a new segment: a snapshot is due.
        var rolled: @Sendable () -> Void
        /// Writing failed; nothing more will be written.
        var failed: @Sendable (any Error) -> Void
    }

    private let writer: TxnLogWriter
    private let callbacks: Callbacks
    private let logger: Logger
    private let snapshotEvery: () -> Int
    private let snapshotEveryBytes: () -> Int64?
    private let condition = ConditionLock<Bool>(value: false)
    // Guarded by `condition`.
    private var queued: [Txn] = []
    private var stopping = false
    private var hasFailed = false
    private var thread: Thread?
    private let finished = ConditionLock<Bool>(value: false)
    /// Set with `queued` growing, cleared when the thread takes the queue; read while spinning.
    private let hasQueued = Atomic<Bool>(false)
    private static let spinNanoseconds: UInt64 = 250_000
    /// Everything through this zxid is durable.
    private let durableThrough = Atomic<Int64>(.min)
    /// How long the last fsync took.
    private let lastSyncNanoseconds = Atomic<UInt64>(0)
    /// Waiting for a sync on another thread pays only while syncs are this quick.
    private static let quickSyncNanoseconds: UInt64 = 500_000

    /// `snapshotEvery` and `snapshotEveryBytes` draw the number of transactions and of log bytes until the next
    /// roll and snapshot (randomised, so replicas do not snapshot together); whichever comes first triggers it.
    init(
        writer: TxnLogWriter, logger: Logger, snapshotEvery: @escaping () -> Int,
        snapshotEveryBytes: @escaping () -> Int64?, callbacks: Callbacks
    ) {
        self.writer = writer
        self.logger = logger
        self.snapshotEvery = snapshotEvery
        self.snapshotEveryBytes = snapshotEveryBytes
        self.callbacks = callbacks
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "aviary-txnlog"
        thread.start()
        self.thread = thread
    }

    /// Queues transactions for the next group commit. Called on the event loop.
    func append(_ txns: [Txn]) {
        condition.lock()
        if hasFailed {
            condition.unlock()
            return
        }
        queued.append(contentsOf: txns)
        hasQueued.store(true, ordering: .releasing)
        condition.unlock(withValue: true)
    }

    /// Whether the disk's last sync was quick enough to wait for on another thread.
    var syncsQuickly: Bool {
        lastSyncNanoseconds.load(ordering: .relaxed) < Self.quickSyncNanoseconds
    }

    /// Waits on the calling thread, for at most `nanoseconds`, until everything through `zxid` is durable; returns
    /// the zxid durable so far if it covers `zxid`. Each turn yields the core, which the log thread may need.
    func waitUntilDurable(_ zxid: Int64, nanoseconds: UInt64) -> Int64? {
        let start = DispatchTime.now().uptimeNanoseconds
        while true {
            let durable = durableThrough.load(ordering: .acquiring)
            if durable >= zxid { return durable }
            if DispatchTime.now().uptimeNanoseconds - start >= nanoseconds { return nil }
            sched_yield()
        }
    }

    /// Writes what is queued, then stops the thread and closes the log.
    func stop() {
        condition.lock()
        stopping = true
        hasQueued.store(true, ordering: .releasing)
        condition.unlock(withValue: true)
        finished.lock(whenValue: true)
        finished.unlock()
    }

    private func run() {
        var untilSnapshot = snapshotEvery()
        var bytesForSnapshot = snapshotEveryBytes()
        defer {
            try? writer.close()
            finished.lock()
            finished.unlock(withValue: true)
        }
        var spins = true
        while true {
            let idleSince = DispatchTime.now().uptimeNanoseconds
            if spins {
                while !hasQueued.load(ordering: .acquiring),
                    DispatchTime.now().uptimeNanoseconds - idleSince < Self.spinNanoseconds
                {
                    sched_yield()
                }
            }
            condition.lock(whenValue: true)
            spins = DispatchTime.now().uptimeNanoseconds - idleSince < Self.spinNanoseconds
            hasQueued.store(false, ordering: .relaxed)
            let batch = queued
            queued.removeAll(keepingCapacity: true)
            let stop = stopping
            condition.unlock(withValue: false)
            if !batch.isEmpty {
                do {
                    for txn in batch {
                        try writer.append(txn)
                    }
                    let syncStart = DispatchTime.now().uptimeNanoseconds
                    try writer.flushAndSync()
                    lastSyncNanoseconds.store(DispatchTime.now().uptimeNanoseconds - syncStart, ordering: .relaxed)
                } catch {
                    condition.lock()
                    hasFailed = true
                    queued.removeAll()
                    condition.unlock(withValue: false)
                    callbacks.failed(error)
                    return
                }
                let last = batch[batch.count - 1].zxid
                // Published before the report: a thread in `waitUntilDurable` sees it without the event loop waking.
                durableThrough.store(last, ordering: .releasing)
                callbacks.durable(last)
                untilSnapshot -= batch.count
                let segmentFull = bytesForSnapshot.map { writer.activeSegmentBytes >= $0 } ?? false
                if untilSnapshot <= 0 || segmentFull {
                    untilSnapshot = snapshotEvery()
                    bytesForSnapshot = snapshotEveryBytes()
                    do {
                        try writer.roll()
                        callbacks.rolled()
                    } catch {
                        logger.error("cannot roll the transaction log", metadata: ["error": "\(error)"])
                    }
                }
            }
            if stop { return }
        }
    }
}
