/// Why the learner-port stream could not be read. Any of these ends the connection: with no frames, there is no
/// way to skip to the next packet.
public enum LearnerStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A packet (or one buffer or string inside the snapshot) is larger than the decoder's limit.
    case tooLarge(field: String, bytes: Int, maximum: Int)
    /// A length prefix below -1, or -1 (null) where the record needs a value.
    case badLength(field: String, length: Int32)
    /// A negative element count in the snapshot.
    case negativeCount(field: String, count: Int32)
    /// The string after the snapshot is not "BenWasHere": the snapshot's structure was misread or corrupt.
    case snapshotSignature(found: String)
    /// The signature's length prefix is not that of "BenWasHere".
    case snapshotSignatureLength(Int32)
    /// A packet's fields did not decode.
    case packet(JuteError)

    public var description: String {
        switch self {
        case .tooLarge(let field, let bytes, let maximum):
            "learner stream: \(field) of at least \(bytes) bytes exceeds the limit of \(maximum)"
        case .badLength(let field, let length):
            "learner stream: bad length \(length) for \(field)"
        case .negativeCount(let field, let count):
            "learner stream: negative \(field) count \(count) in the snapshot"
        case .snapshotSignature(let found):
            "learner stream: the snapshot ends with '\(found)' instead of '\(LearnerStreamDecoder.snapshotSignature)'"
        case .snapshotSignatureLength(let length):
            "learner stream: the snapshot's signature has length \(length), "
                + "not \(LearnerStreamDecoder.snapshotSignature.utf8.count)"
        case .packet(let error):
            "learner stream: bad packet: \(error)"
        }
    }
}
