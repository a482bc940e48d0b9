import NIOCore

/// A fast-leader-election message: the sender's state and the vote it currently holds.
///
/// Three layouts exist, told apart only by the message length (there is no type byte):
///
///     28 bytes    = int state, long leader, long zxid, long electionEpoch                (before 3.4)
///     40 bytes    = 28 bytes, long peerEpoch, int version=1                              (3.4 before 3.4.6)
///     44 + n      = 28 bytes, long peerEpoch, int version, int configLen, byte[configLen] config  (since 3.5)
///
/// `decode` reads them as ZooKeeper's `FastLeaderElection` receiver does: a 28-byte message takes its peerEpoch
/// from the epoch half of its zxid; a 40-byte message counts as version 0 whatever its version field says; any
/// other length reads peerEpoch and version, and a config only if version > 1; bytes after the last field are
/// ignored. `encode` always writes the current layout with `currentVersion`.
public struct ElectionNotification: JuteEncodable, Sendable, Hashable {
    /// `Notification.CURRENTVERSION`: the layout with the config text.
    public static let currentVersion: Int32 = 0x2

    /// The sender's `ServerState`.
    public enum State: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case looking = 0
        case following = 1
        case leading = 2
        case observing = 3

        public var description: String {
            switch self {
            case .looking: "LOOKING"
            case .following: "FOLLOWING"
            case .leading: "LEADING"
            case .observing: "OBSERVING"
            }
        }
    }

    /// A `State` raw value; the decoder only lets the four known ones through.
    public var state: Int32
    /// The proposed (or followed) leader's server id.
    public var leader: Int64
    /// The proposed leader's last zxid.
    public var zxid: Int64
    /// The sender's logical clock: the round of election.
    public var electionEpoch: Int64
    /// The proposed leader's epoch.
    public var peerEpoch: Int64
    /// The layout version the sender used, as the receiver records it (0 for the 28- and 40-byte layouts).
    public var version: Int32
    /// The sender's QuorumVerifier as text (`server.N=…` lines and `version=…`); empty before version 2.
    public var config: [UInt8]

    public init(
        state: State, leader: Int64, zxid: Int64, electionEpoch: Int64, peerEpoch: Int64,
        version: Int32 = Self.currentVersion, config: [UInt8]
    ) {
        self.state = state.rawValue
        self.leader = leader
        self.zxid = zxid
        self.electionEpoch = electionEpoch
        self.peerEpoch = peerEpoch
        self.version = version
        self.config = config
    }

    public var knownState: State? { State(rawValue: state) }

    /// Decodes one election message (the payload of one frame).
    public static func decode(from message: ByteBuffer) throws(ElectionWireError) -> ElectionNotification {
        let length = message.readableBytes
        guard length >= 28 else { throw .notificationTooShort(bytes: length) }
        var reader = message
        // Reads past the end are impossible for the first 28 bytes, checked above.
        let state = reader.readInteger(endianness: .big, as: Int32.self)!
        let leader = reader.readInteger(endianness: .big, as: Int64.self)!
        let zxid = reader.readInteger(endianness: .big, as: Int64.self)!
        let electionEpoch = reader.readInteger(endianness: .big, as: Int64.self)!
        guard let knownState = State(rawValue: state) else { throw .unknownPeerState(state) }

        var peerEpoch = zxid >> 32
        var version: Int32 = 0
        var config: [UInt8] = []
        if length != 28 {
            guard let epoch = reader.readInteger(endianness: .big, as: Int64.self) else {
                throw .notificationTruncated(field: "peerEpoch", bytes: length)
            }
            peerEpoch = epoch
            if length != 40 {
                guard let sentVersion = reader.readInteger(endianness: .big, as: Int32.self) else {
                    throw .notificationTruncated(field: "version", bytes: length)
                }
                version = sentVersion
            }
        }
        if version > 0x1 {
            guard let configLength = reader.readInteger(endianness: .big, as: Int32.self) else {
                throw .notificationTruncated(field: "configLength", bytes: length)
            }
            // ZooKeeper's bound: never more than the whole message, checked before anything is allocated.
            guard configLength >= 0, Int(configLength) <= length else {
                throw .notificationConfigLength(configLength, messageBytes: length)
            }
            guard let bytes = reader.readBytes(length: Int(configLength)) else {
                throw .notificationTruncated(field: "config", bytes: length)
            }
            config = bytes
        }
        return ElectionNotification(
            state: knownState, leader: leader, zxid: zxid, electionEpoch: electionEpoch, peerEpoch: peerEpoch,
            version: version, config: config)
    }

    /// Writes the current (version 2) layout, whatever `version` says.
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt(state)
        buffer.writeJuteLong(leader)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteLong(electionEpoch)
        buffer.writeJuteLong(peerEpoch)
        buffer.writeJuteInt(Self.currentVersion)
        buffer.writeJuteInt(Int32(config.count))
        buffer.writeBytes(config)
    }

    /// The encoded size, for the frame length in front of it.
    public var encodedLength: Int { 44 + config.count }
}

extension ElectionNotification: CustomStringConvertible {
    public var description: String {
        let stateText = knownState?.description ?? "state \(state)"
        return "\(stateText) leader=\(leader) zxid=0x\(String(UInt64(bitPattern: zxid), radix: 16)) "
            + "electionEpoch=0x\(String(UInt64(bitPattern: electionEpoch), radix: 16)) "
            + "peerEpoch=0x\(String(UInt64(bitPattern: peerEpoch), radix: 16)) version=\(version) "
            + "config=\(config.count) bytes"
    }
}
