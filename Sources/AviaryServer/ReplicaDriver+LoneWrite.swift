import AviaryReplica
import DequeModule

extension ReplicaDriver {
    /// How long the event loop may wait for a lone write's fsync instead of returning to its selector.
    static let loneWriteWaitNanoseconds: UInt64 = 1_000_000

    /// How many requests in a row one connection must have sent, each into an otherwise idle server, before the
    /// event loop waits for its writes.
    static let loneWriterStreak = 16

    /// A request was read and now awaits its reply.
    func requestArrived(on connection: ClientConnection) {
        connection.arrivals.append(WallClock.millis())
        if connection.id == lastRequester && awaitingReplies == 0 {
            loneRequestStreak += 1
        } else {
            lastRequester = connection.id
            loneRequestStreak = awaitingReplies == 0 ? 1 : 0
        }
        awaitingReplies += 1
    }

    /// The request just read will not be answered through the replica after all.
    func requestWithdrawn(on connection: ClientConnection) {
        if connection.arrivals.popLast() != nil { awaitingReplies -= 1 }
    }

    /// The oldest request of `connection` is answered; returns when it arrived.
    func replyLeft(on connection: ClientConnection) -> Int64? {
        guard let arrival = connection.arrivals.popFirst() else { return nil }
        awaitingReplies -= 1
        return arrival
    }

    /// The connection closed with `connection.arrivals` unanswered.
    func requestsAbandoned(on connection: ClientConnection) {
        awaitingReplies -= connection.arrivals.count
    }

    /// When one client alone has been sending requests one at a time, and a standalone server's only unanswered
    /// request waits for the log, the event loop has nothing else to do: it waits for the fsync here rather than
    /// in its selector. That client then gets its reply without the loop being woken, which on a virtual machine
    /// costs a good part of the round trip. As soon as a second client is active, or this one pipelines, the loop
    /// stops waiting: it would read the other requests an fsync late and hold a core the clients need (two writers
    /// lost 31 % when it waited for them). A client that appears meanwhile is read at most an fsync later, and the
    /// wait is skipped when the disk's last sync was slow.
    func awaitLoneWrite() {
        guard ensemble == nil, awaitingReplies == 1, loneRequestStreak >= Self.loneWriterStreak,
            let zxid = replica.newestZxidAwaitingLog, let transactionLog, transactionLog.syncsQuickly
        else { return }
        if let durable = transactionLog.waitUntilDurable(zxid, nanoseconds: Self.loneWriteWaitNanoseconds) {
            logDidPersist(through: durable)
        }
    }
}
