import AviaryWire

/// Splits the registry into `setWatches` / `setWatches2` requests for re-arming watches after a reconnect.
///
/// As ZooKeeper's Java client does (`ClientCnxn.primeConnection`), paths go into a request until their encoded
/// size would pass `bytesMax` (128 KiB there), so no request nears the server's 1 MiB frame limit however many
/// watches a session holds. A batch with persistent watches is sent as `setWatches2` (opcode 105); any other as
/// `setWatches` (101), which servers older than 3.6 also understand.
enum SetWatchesPlanner {
    static let defaultBytesMax = 128 * 1024

    static func requests(
        for registry: WatchRegistry, relativeZxid: Int64, bytesMax: Int = defaultBytesMax
    ) -> [ClientRequest] {
        var requests: [ClientRequest] = []
        var batch = SetWatchesRequest(relativeZxid: relativeZxid)
        var batchBytes = 0
        var batchIsEmpty = true

        func flush() {
            guard !batchIsEmpty else { return }
            let persistent = !batch.persistentWatches.isEmpty || !batch.persistentRecursiveWatches.isEmpty
            requests.append(.setWatches(batch, opCode: persistent ? .setWatches2 : .setWatches))
            batch = SetWatchesRequest(relativeZxid: relativeZxid)
            batchBytes = 0
            batchIsEmpty = true
        }

        for kind in WatchKind.allCases {
            for path in registry.paths(of: kind) {
                let pathBytes = 4 + path.utf8.count
                if !batchIsEmpty && batchBytes + pathBytes > bytesMax { flush() }
                switch kind {
                case .data: batch.dataWatches.append(path)
                case .exist: batch.existWatches.append(path)
                case .child: batch.childWatches.append(path)
                case .persistent: batch.persistentWatches.append(path)
                case .persistentRecursive: batch.persistentRecursiveWatches.append(path)
                }
                batchBytes += pathBytes
                batchIsEmpty = false
            }
        }
        flush()
        return requests
    }
}
