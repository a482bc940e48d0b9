/// Who is in the ensemble and what makes a quorum: a majority of the voting participants. Observers learn the
/// history but never vote or acknowledge.
public struct QuorumMembership: Sendable, Equatable {
    /// Voting members, sorted so every iteration that reaches an output is deterministic.
    public let participants: [Int64]
    public let observers: [Int64]

    public init(participants: [Int64], observers: [Int64] = []) {
        precondition(!participants.isEmpty, "an ensemble needs at least one participant")
        self.participants = participants.sorted()
        self.observers = observers.sorted()
    }

    public var members: [Int64] { (participants + observers).sorted() }

    public func isParticipant(_ id: Int64) -> Bool { participants.contains(id) }

    public func isMember(_ id: Int64) -> Bool { isParticipant(id) || observers.contains(id) }

    /// Whether these servers include a majority of the participants; other ids do not count.
    public func isQuorum(_ ids: Set<Int64>) -> Bool {
        var count = 0
        for id in participants where ids.contains(id) { count += 1 }
        return count > participants.count / 2
    }

    /// Whether these servers include a majority of the participants; other ids do not count.
    public func isQuorum<S: Sequence>(_ ids: S) -> Bool where S.Element == Int64 {
        var seen: Set<Int64> = []
        for id in ids where isParticipant(id) { seen.insert(id) }
        return seen.count > participants.count / 2
    }
}
