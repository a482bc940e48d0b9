/// How snapshot files are written (`snapshot.compression.method`). Readers pick the codec from the file name
/// (`snapshot.<zxid>`, `.gz`, `.snappy`), so changing this never strands existing snapshots.
public enum SnapshotCompression: String, Sendable, Equatable, CaseIterable {
    /// ZooKeeper's default: the checksummed stream as is.
    case none = ""
    case gzip = "gz"
    case snappy = "snappy"

    /// Aviary writes compressed snapshots unless told otherwise (`snapshot.compression.method=` with an empty value
    /// restores ZooKeeper's uncompressed default). Any ZooKeeper 3.6+ server reads them.
    public static let aviaryDefault = SnapshotCompression.gzip

    /// The value as zoo.cfg spells it; ZooKeeper compares without case.
    init?(configurationValue: String) {
        self.init(rawValue: configurationValue.lowercased())
    }

    /// The suffix of snapshot files written this way, dot included; empty for `.none`.
    public var fileExtension: String {
        rawValue.isEmpty ? "" : "." + rawValue
    }
}
