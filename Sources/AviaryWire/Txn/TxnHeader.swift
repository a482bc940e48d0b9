import NIOCore

/// Grammar of a transaction as logged, proposed and applied:
///
///     txn       = TxnHeader body [TxnDigest]
///     TxnHeader = long clientId, int cxid, long zxid, long time, int type
///
/// `time` is the leader's wall clock in milliseconds: the only wall time that enters the replicated state.
public struct TxnHeader: JuteRecord, Sendable, Hashable {
    public var clientId: Int64
    public var cxid: Int32
    public var zxid: Int64
    public var time: Int64
    public var type: Int32

    public init(clientId: Int64, cxid: Int32, zxid: Int64, time: Int64, type: Int32) {
        self.clientId = clientId
        self.cxid = cxid
        self.zxid = zxid
        self.time = time
        self.type = type
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        clientId = try reader.readLong("clientId")
        cxid = try reader.readInt("cxid")
        zxid = try reader.readLong("zxid")
        time = try reader.readLong("time")
        type = try reader.readInt("type")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteLong(clientId)
        buffer.writeJuteInt(cxid)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteLong(time)
        buffer.writeJuteInt(type)
    }
}

/// The tree digest the leader computed after applying a txn; followers compare theirs with it.
public struct TxnDigest: JuteRecord, Sendable, Hashable {
    public var version: Int32
    public var treeDigest: Int64

    public init(version: Int32, treeDigest: Int64) {
        self.version = version
        self.treeDigest = treeDigest
    }

    public init(from reader: inout JuteReader) throws(JuteError) {
        version = try reader.readInt("digestVersion")
        treeDigest = try reader.readLong("treeDigest")
    }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(version)
        buffer.writeJuteLong(treeDigest)
    }
}

/// A whole transaction: header, body and optional digest.
public struct Txn: JuteEncodable, Sendable, Hashable {
    public var header: TxnHeader
    public var body: TxnBody
    public var digest: TxnDigest?

    public init(header: TxnHeader, body: TxnBody, digest: TxnDigest? = nil) {
        self.header = header
        self.body = body
        self.digest = digest
    }

    public var zxid: Int64 { header.zxid }

    public func encode(to buffer: inout ByteBuffer) {
        header.encode(to: &buffer)
        body.encode(to: &buffer)
        digest?.encode(to: &buffer)
    }

    /// Decodes a txn that fills `buffer` exactly (a log record's payload or a PROPOSAL's data).
    public static func decode(from buffer: ByteBuffer) throws(JuteError) -> Txn {
        var reader = JuteReader(buffer)
        let header = try TxnHeader(from: &reader)
        let body = try TxnBody.decode(type: header.type, from: &reader)
        var digest: TxnDigest?
        if !reader.isAtEnd {
            digest = try TxnDigest(from: &reader)
        }
        try reader.expectEnd()
        return Txn(header: header, body: body, digest: digest)
    }
}
