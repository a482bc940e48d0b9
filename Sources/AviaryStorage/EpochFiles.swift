import NIOCore

/// The epoch files of `dataDir/version-2` (ZooKeeper's `QuorumPeer.writeLongToFile` / `readLongFromFile`):
///
///     acceptedEpoch = decimal                  the epoch this server last accepted (NEWEPOCH / LEADERINFO)
///     currentEpoch  = decimal                  the epoch whose NEWLEADER it acknowledged
///     decimal       = ["-"] digit+             written without a newline; a line ending is accepted on read
///
/// Each is written to `<name>.tmp`, fsynced, renamed over `<name>`, then the directory is fsynced
/// (ZooKeeper's `AtomicFileOutputStream` skips the directory fsync). A `currentEpoch.tmp` left by a crash
/// between write and rename is used at start-up when it is needed, as ZooKeeper does (see `load`).
public struct EpochFiles: Sendable {
    public static let acceptedEpochName = "acceptedEpoch"
    public static let currentEpochName = "currentEpoch"
    static let temporarySuffix = ".tmp"

    /// The epochs in force after start-up, and what `load` had to repair.
    public struct Loaded: Sendable, Hashable {
        public var currentEpoch: Int64
        public var acceptedEpoch: Int64
        public var notes: [String]
    }

    /// `dataDir/version-2`.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func readAcceptedEpoch() throws -> Int64? { try readNumber(Self.acceptedEpochName) }
    public func readCurrentEpoch() throws -> Int64? { try readNumber(Self.currentEpochName) }
    public func writeAcceptedEpoch(_ epoch: Int64) throws { try writeNumber(epoch, to: Self.acceptedEpochName) }
    public func writeCurrentEpoch(_ epoch: Int64) throws { try writeNumber(epoch, to: Self.currentEpochName) }

    /// ZooKeeper's start-up rules (`QuorumPeer.loadDataBase`) given the recovered tree's last zxid:
    /// a missing file is created with the zxid's epoch (an upgrade from a version without it); a currentEpoch
    /// older than the zxid's epoch is repaired from `currentEpoch.tmp` if that exists, and is an error otherwise;
    /// an acceptedEpoch below the currentEpoch is an error.
    public func load(lastProcessedZxid: Int64) throws -> Loaded {
        let epochOfZxid = lastProcessedZxid >> 32
        var notes: [String] = []
        var current: Int64
        if let stored = try readCurrentEpoch() {
            current = stored
        } else {
            current = epochOfZxid
            try writeCurrentEpoch(current)
            notes.append("\(Self.currentEpochName) was missing; created with \(current), the epoch of the last zxid")
        }
        if epochOfZxid > current {
            guard let fromTemporary = try readNumber(Self.currentEpochName + Self.temporarySuffix) else {
                throw StorageError.badEpoch(
                    path: path(Self.currentEpochName),
                    reason:
                        "the current epoch \(current) is older than the last zxid 0x\(String(lastProcessedZxid, radix: 16))"
                )
            }
            current = fromTemporary
            try writeCurrentEpoch(current)
            notes.append(
                "\(Self.currentEpochName) was behind the data; set to \(current) from \(Self.currentEpochName)\(Self.temporarySuffix)"
            )
        }
        var accepted: Int64
        if let stored = try readAcceptedEpoch() {
            accepted = stored
        } else {
            accepted = epochOfZxid
            try writeAcceptedEpoch(accepted)
            notes.append("\(Self.acceptedEpochName) was missing; created with \(accepted), the epoch of the last zxid")
        }
        guard accepted >= current else {
            throw StorageError.badEpoch(
                path: path(Self.acceptedEpochName),
                reason: "the accepted epoch \(accepted) is less than the current epoch \(current)")
        }
        return Loaded(currentEpoch: current, acceptedEpoch: accepted, notes: notes)
    }

    private func path(_ name: String) -> String { FileSystem.join(directory, name) }

    private func readNumber(_ name: String) throws -> Int64? {
        let file = path(name)
        guard FileSystem.exists(file) else { return nil }
        let bytes = try FileSystem.readFile(file)
        let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
        let line =
            text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }).first ?? ""
        guard let value = Int64(line) else {
            throw StorageError.badEpoch(path: file, reason: "'\(line)' is not a decimal number")
        }
        return value
    }

    private func writeNumber(_ value: Int64, to name: String) throws {
        let file = path(name)
        try FileSystem.writeAtomically(
            file, temporaryPath: file + Self.temporarySuffix, bytes: Array(String(value).utf8))
    }
}
