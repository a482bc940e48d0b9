/// Why a storage operation failed. Every case names the file it is about; record errors also name the byte offset,
/// so an operator can look at the file with ZooKeeper's `zkTxnLogToolkit.sh` or `aviary-server logs`.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A log record that is damaged where damage cannot be a torn write: in the middle of a segment (a valid
    /// record follows it) or with a bad checksum in a segment that is not the newest. `offset` is where the
    /// record starts (in the decompressed stream for a `.gz` segment).
    case corruptRecord(file: String, offset: Int64, reason: String)
    /// A segment whose file header is not ZooKeeper's txn log header.
    case corruptSegmentHeader(file: String, reason: String)
    /// A snapshot that does not parse, or whose seal (Adler32) does not match.
    case corruptSnapshot(file: String, reason: String)
    /// The disk (or the user's quota) is full: ENOSPC or EDQUOT.
    case diskFull(path: String)
    /// Any other failing system call.
    case io(path: String, operation: String, errno: Int32)
    /// The txns of a log must have increasing zxids.
    case zxidNotIncreasing(previous: Int64, zxid: Int64)
    /// The writer would overwrite an existing segment.
    case segmentExists(path: String)
    /// Every snapshot failed to load.
    case noValidSnapshot(directory: String, failures: [String])
    /// Logs exist but no snapshot: the logs may have been purged past their start, so the tree cannot be trusted.
    case logsWithoutSnapshot(directory: String)
    /// Replay found zxids missing inside one epoch: txns the tree needs are not in the log.
    case logGap(file: String, afterZxid: Int64, nextZxid: Int64)
    /// An epoch file that does not hold a decimal number, or epochs that contradict the data.
    case badEpoch(path: String, reason: String)
    /// A file name or suffix this code does not read (`.snappy` snapshots, say).
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case .corruptRecord(let file, let offset, let reason):
            "corrupt txn log record in \(file) at byte offset \(offset): \(reason)"
        case .corruptSegmentHeader(let file, let reason):
            "bad txn log header in \(file): \(reason)"
        case .corruptSnapshot(let file, let reason):
            "corrupt snapshot \(file): \(reason)"
        case .diskFull(let path):
            "disk full while writing \(path)"
        case .io(let path, let operation, let errno):
            "\(operation) \(path) failed: \(SystemCall.errorText(errno)) (errno \(errno))"
        case .zxidNotIncreasing(let previous, let zxid):
            "txn zxid 0x\(String(zxid, radix: 16)) does not follow 0x\(String(previous, radix: 16))"
        case .segmentExists(let path):
            "txn log segment \(path) already exists"
        case .noValidSnapshot(let directory, let failures):
            "no snapshot in \(directory) could be loaded: " + failures.joined(separator: "; ")
        case .logsWithoutSnapshot(let directory):
            "txn logs exist but there is no snapshot in \(directory); the logs may not start at the beginning"
        case .logGap(let file, let after, let next):
            "txns missing in \(file): 0x\(String(next, radix: 16)) follows 0x\(String(after, radix: 16)) in the same epoch"
        case .badEpoch(let path, let reason):
            "epoch file \(path): \(reason)"
        case .unsupported(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
