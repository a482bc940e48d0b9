extension DataDirectory {
    /// Deletes old snapshots and the log segments no kept snapshot needs, as ZooKeeper's `PurgeTxnLog` decides:
    /// keep the newest `retainSnapshots` snapshots that look complete; the oldest of them sets the line `L`;
    /// keep the segment that holds txn `L + 1` (the last one starting at or below `L`) and every later one;
    /// delete every other segment and every snapshot file below `L`. Returns the deleted paths.
    ///
    /// ZooKeeper requires at least 3 (`autopurge.snapRetainCount`); that check belongs to configuration.
    @discardableResult
    public func purge(retainSnapshots: Int) throws -> [String] {
        precondition(retainSnapshots >= 1, "purge must keep at least one snapshot")
        let kept = try snapshots().filter(SnapshotFile.looksComplete).prefix(retainSnapshots)
        guard let line = kept.last?.zxid else { return [] }
        var deleted: [String] = []

        let segments = try FileSystem.list(logDirectory).compactMap { name in
            TxnLogFormat.parseSegmentName(name).map { (name: name, zxid: $0.startZxid) }
        }
        // The newest segment starting at or below the line still holds txns after it.
        let holder = segments.filter { $0.zxid <= line }.map(\.zxid).max() ?? 0
        for segment in segments where segment.zxid < holder {
            let path = FileSystem.join(logDirectory, segment.name)
            try FileSystem.remove(path)
            deleted.append(path)
        }
        for name in try FileSystem.list(snapshotDirectory) {
            guard let (zxid, _) = SnapshotFile.parseFileName(name), zxid < line else { continue }
            let path = FileSystem.join(snapshotDirectory, name)
            try FileSystem.remove(path)
            deleted.append(path)
        }
        if !deleted.isEmpty {
            try FileSystem.syncDirectory(logDirectory)
            try FileSystem.syncDirectory(snapshotDirectory)
        }
        return deleted
    }
}
