import NIOCore

/// Finds where the snapshot a leader sends after SNAP ends, checking its structure but building nothing. The
/// stream has no length for it, so the only way to find the signature and the packets after it is to walk the
/// records (ZooKeeper's `SerializeUtils.serializeSnapshot`, `DataTree.serialize`):
///
///     snapshot = int sessionCount, sessionCount × (long sessionId, int timeout)
///                int aclCount, aclCount × (long reference, vector<ACL> list)
///                *(ustring path, node) ustring "/"
///     ACL      = int perms, ustring scheme, ustring id
///     node     = buffer data, long aclReference, StatPersisted    ; StatPersisted is 60 bytes
///
/// Unlike a snapshot file, this stream has no checksum and no digest after the tree: ZooKeeper 3.8 and 3.9 write
/// the signature "BenWasHere" right after the "/" that ends the nodes.
///
/// The scan resumes where the previous call stopped, so feeding a large snapshot in small pieces costs time in
/// proportion to its size. Counts are bounded only by the bytes that follow; each buffer and string is bounded
/// by `fieldBytesMax`, checked before its bytes are waited for.
struct SnapshotStreamScanner {
    private enum Step {
        case sessionCount
        case sessions(remaining: Int32)
        case aclCount
        case aclEntries(remaining: Int32)
        case acls(entriesAfter: Int32, remaining: Int32)
        case nodes
    }

    private static let statPersistedBytes = 60
    private static let sessionBytes = 12
    private static let terminatorPath: [UInt8] = Array("/".utf8)

    let fieldBytesMax: Int
    private var step = Step.sessionCount
    /// How many bytes, from the buffer's reader index, have been checked.
    private var scannedBytes = 0

    init(fieldBytesMax: Int) {
        self.fieldBytesMax = fieldBytesMax
    }

    /// Scans whatever has arrived; the snapshot's length once the "/" that ends it is in, else nil.
    mutating func scan(_ buffer: ByteBuffer) throws(LearnerStreamError) -> Int? {
        while true {
            var cursor = ByteCursor(buffer, offset: scannedBytes)
            let next: Step?
            switch step {
            case .sessionCount:
                guard let count = try readCount("session", &cursor) else { return nil }
                next = .sessions(remaining: count)
            case .sessions(let remaining):
                guard remaining > 0 else {
                    next = .aclCount
                    break
                }
                let present = Int32(min(Int(remaining), cursor.availableBytes / Self.sessionBytes))
                guard present > 0 else { return nil }
                _ = cursor.skip(Int(present) * Self.sessionBytes)
                next = .sessions(remaining: remaining - present)
            case .aclCount:
                guard let count = try readCount("ACL table", &cursor) else { return nil }
                next = .aclEntries(remaining: count)
            case .aclEntries(let remaining):
                guard remaining > 0 else {
                    next = .nodes
                    break
                }
                guard cursor.skip(8), let listLength = try cursor.readLength("ACL list", nullable: false) else {
                    return nil
                }
                next = .acls(entriesAfter: remaining - 1, remaining: listLength)
            case .acls(let entriesAfter, let remaining):
                guard remaining > 0 else {
                    next = .aclEntries(remaining: entriesAfter)
                    break
                }
                guard try skipACL(&cursor) else { return nil }
                next = .acls(entriesAfter: entriesAfter, remaining: remaining - 1)
            case .nodes:
                guard let terminated = try skipNode(&cursor) else { return nil }
                if terminated { return cursor.offset }
                next = .nodes
            }
            scannedBytes = cursor.offset
            step = next!
        }
    }

    private func readCount(_ field: String, _ cursor: inout ByteCursor) throws(LearnerStreamError) -> Int32? {
        guard let count = cursor.readInt() else { return nil }
        guard count >= 0 else { throw .negativeCount(field: field, count: count) }
        return count
    }

    /// Skips a buffer or string, refusing one longer than `fieldBytesMax` before waiting for it.
    private func skipField(
        _ field: String, nullable: Bool, _ cursor: inout ByteCursor
    ) throws(LearnerStreamError) -> Bool {
        guard let length = try cursor.readLength(field, nullable: nullable) else { return false }
        guard Int(length) <= fieldBytesMax else {
            throw .tooLarge(field: field, bytes: Int(length), maximum: fieldBytesMax)
        }
        return length <= 0 || cursor.skip(Int(length))
    }

    private func skipACL(_ cursor: inout ByteCursor) throws(LearnerStreamError) -> Bool {
        guard cursor.skip(4), try skipField("ACL scheme", nullable: true, &cursor) else { return false }
        return try skipField("ACL id", nullable: true, &cursor)
    }

    /// Skips one node; true when the path read was the terminator, nil when the node has not all arrived.
    private func skipNode(_ cursor: inout ByteCursor) throws(LearnerStreamError) -> Bool? {
        var lengthCursor = cursor
        guard let pathLength = try lengthCursor.readLength("path", nullable: false) else { return nil }
        if Int(pathLength) == Self.terminatorPath.count {
            guard let isTerminator = lengthCursor.hasPrefix(Self.terminatorPath) else { return nil }
            if isTerminator {
                cursor = lengthCursor
                _ = cursor.skip(Self.terminatorPath.count)
                return true
            }
        }
        guard try skipField("path", nullable: false, &cursor), try skipField("node data", nullable: true, &cursor),
            cursor.skip(8 + Self.statPersistedBytes)
        else { return nil }
        return false
    }
}
