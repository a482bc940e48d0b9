import AviaryWire

/// Interns ACL lists: each distinct list is stored once and nodes hold a reference number, as ZooKeeper's
/// ReferenceCountedACLCache does (snapshots store the same table). Reference -1 is OPEN_ACL_UNSAFE.
public struct ACLCache: Sendable {
    public static let openUnsafeReference: Int64 = -1

    private(set) public var listByReference: [Int64: [ACL]] = [:]
    private var referenceByList: [[ACL]: Int64] = [:]
    private var useCount: [Int64: Int] = [:]
    private var nextReference: Int64 = 1
    /// Numbers of forgotten lists, handed out again before new ones: nodes store references in 32 bits.
    private var releasedReferences: [Int64] = []

    public init() {}

    /// The reference for `acl`, adding one use.
    public mutating func reference(for acl: [ACL]) -> Int64 {
        if acl == ACL.openUnsafe { return Self.openUnsafeReference }
        if let existing = referenceByList[acl] {
            useCount[existing, default: 0] += 1
            return existing
        }
        let reference: Int64
        if let released = releasedReferences.popLast() {
            reference = released
        } else {
            reference = nextReference
            nextReference += 1
        }
        listByReference[reference] = acl
        referenceByList[acl] = reference
        useCount[reference] = 1
        return reference
    }

    public func list(for reference: Int64) -> [ACL] {
        if reference == Self.openUnsafeReference { return ACL.openUnsafe }
        return listByReference[reference] ?? ACL.openUnsafe
    }

    /// Drops one use; an unused list is forgotten.
    public mutating func release(_ reference: Int64) {
        guard reference != Self.openUnsafeReference, let count = useCount[reference] else { return }
        if count <= 1 {
            useCount[reference] = nil
            if let list = listByReference.removeValue(forKey: reference) { referenceByList[list] = nil }
            releasedReferences.append(reference)
        } else {
            useCount[reference] = count - 1
        }
    }

    public var count: Int { listByReference.count }
}
