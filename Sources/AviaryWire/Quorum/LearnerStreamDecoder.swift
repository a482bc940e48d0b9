import NIOCore

/// Splits the learner-port stream into packets and snapshots:
///
///     stream = *(packet | snapPacket snapshot signature)
///     packet = QuorumPacket                 ; a bare jute record, no length frame
///     snapPacket = QuorumPacket with type SNAP
///     snapshot = see SnapshotStreamScanner
///     signature = ustring "BenWasHere"
///
/// Neither packets nor the snapshot carry a length, so the decoder walks each record's length prefixes to find
/// its end before taking it. A packet larger than `packetBytesMax` (ZooKeeper's bound is jute.maxbuffer plus
/// its padding) is refused as soon as the length that makes it so is in; inside a snapshot the same bound
/// applies to each buffer and string. The snapshot comes out as one `.snapshot`, only after its signature has
/// arrived and matched.
public struct LearnerStreamDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = LearnerStreamItem

    /// The string a leader writes after the snapshot (`LearnerHandler`) and a learner checks (`Learner`).
    public static let snapshotSignature = "BenWasHere"
    private static let signatureBytes = Array(snapshotSignature.utf8)

    private enum Phase {
        case packets
        case snapshot(SnapshotStreamScanner)
    }

    public let packetBytesMax: Int
    private var phase = Phase.packets

    public init(packetBytesMax: Int) {
        precondition(packetBytesMax >= 20, "a QuorumPacket takes at least 20 bytes")
        self.packetBytesMax = packetBytesMax
    }

    /// Takes the next packet or snapshot off the front of `buffer`, or returns nil, consuming nothing, until all
    /// of it is there.
    public mutating func next(from buffer: inout ByteBuffer) throws(LearnerStreamError) -> LearnerStreamItem? {
        switch phase {
        case .packets:
            guard let length = try Self.packetLength(in: buffer, packetBytesMax: packetBytesMax) else { return nil }
            let packet: QuorumPacket
            do {
                packet = try QuorumPacket.decode(from: buffer.getSlice(at: buffer.readerIndex, length: length)!)
            } catch {
                throw .packet(error)
            }
            buffer.moveReaderIndex(forwardBy: length)
            if packet.packetType == .snap {
                phase = .snapshot(SnapshotStreamScanner(fieldBytesMax: packetBytesMax))
            }
            return .packet(packet)
        case .snapshot(var scanner):
            let scanned = try scanner.scan(buffer)
            phase = .snapshot(scanner)
            guard let snapshotLength = scanned, try Self.signatureIsComplete(in: buffer, after: snapshotLength) else {
                return nil
            }
            let snapshot = buffer.readSlice(length: snapshotLength)!
            buffer.moveReaderIndex(forwardBy: 4 + Self.signatureBytes.count)
            phase = .packets
            return .snapshot(snapshot)
        }
    }

    /// The encoded length of the packet at the front of `buffer`, or nil if it has not all arrived.
    static func packetLength(in buffer: ByteBuffer, packetBytesMax: Int) throws(LearnerStreamError) -> Int? {
        var cursor = ByteCursor(buffer)
        func checkFits(_ field: String, adding bytes: Int) throws(LearnerStreamError) {
            let total = cursor.offset + bytes
            guard total <= packetBytesMax else {
                throw .tooLarge(field: "packet (\(field))", bytes: total, maximum: packetBytesMax)
            }
        }
        guard cursor.skip(12), let dataLength = try cursor.readLength("data", nullable: true) else { return nil }
        if dataLength > 0 {
            try checkFits("data", adding: Int(dataLength))
            guard cursor.skip(Int(dataLength)) else { return nil }
        }
        guard let idCount = try cursor.readLength("authinfo", nullable: true) else { return nil }
        // Each Id takes at least two length prefixes: a bound on the count before walking it.
        if idCount > 0 { try checkFits("authinfo", adding: Int(idCount) * 8) }
        for _ in 0..<max(idCount, 0) {
            for field in ["authinfo scheme", "authinfo id"] {
                guard let length = try cursor.readLength(field, nullable: true) else { return nil }
                if length > 0 {
                    try checkFits(field, adding: Int(length))
                    guard cursor.skip(Int(length)) else { return nil }
                }
            }
        }
        return cursor.offset
    }

    /// Whether the signature after the snapshot has all arrived; throws if it has and is not "BenWasHere".
    private static func signatureIsComplete(
        in buffer: ByteBuffer, after snapshotLength: Int
    ) throws(LearnerStreamError) -> Bool {
        var cursor = ByteCursor(buffer, offset: snapshotLength)
        guard let length = cursor.readInt() else { return false }
        guard Int(length) == signatureBytes.count else { throw .snapshotSignatureLength(length) }
        guard let matches = cursor.hasPrefix(signatureBytes) else { return false }
        guard matches else {
            let found = buffer.getString(at: buffer.readerIndex + cursor.offset, length: signatureBytes.count) ?? ""
            throw .snapshotSignature(found: found)
        }
        return true
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let item = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(item))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
