import AviaryConsensus

/// A client write as the simulator models it: a unique id standing for the txn's content.
public struct SimulatedTxn: Sendable, Equatable, CustomStringConvertible {
    public var zxid: Int64
    public var writeId: Int64

    public init(zxid: Int64, writeId: Int64) {
        self.zxid = zxid
        self.writeId = writeId
    }

    public var description: String { "w\(writeId)@\(String(UInt64(bitPattern: zxid), radix: 16))" }
}

/// A replica's applied state: the txns it has applied, in order.
public struct SimulatedState: Sendable, Equatable {
    public var applied: [SimulatedTxn] = []

    public var lastZxid: Int64 { applied.last?.zxid ?? 0 }

    mutating func apply(_ txn: SimulatedTxn) -> String? {
        if txn.zxid <= lastZxid {
            return "applied \(txn) after \(Zxid.hex(lastZxid)): out of zxid order"
        }
        applied.append(txn)
        return nil
    }
}
