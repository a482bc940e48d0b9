import AviaryConsensus

/// One simulated server: its consensus core, its disk and its applied state. A crash keeps only the disk.
struct SimulatedNode: Sendable {
    let id: Int64
    var incarnation = 0
    var peer: QuorumPeer<SimulatedTxn>?
    var disk = SimulatedDisk()
    var state = SimulatedState()
    var syncScheduled = false

    var isRunning: Bool { peer != nil }

    init(id: Int64) {
        self.id = id
    }

    /// Starts (or restarts) the server from what its disk holds.
    mutating func boot(configuration: ConsensusConfiguration) {
        incarnation += 1
        state = disk.recover()
        syncScheduled = false
        peer = QuorumPeer(
            configuration: configuration, acceptedEpoch: disk.acceptedEpoch, currentEpoch: disk.currentEpoch,
            lastLoggedZxid: state.lastZxid, recentHistory: disk.recentHistory(limit: configuration.committedLogCount))
    }

    mutating func crash() {
        peer = nil
        disk.crash()
        syncScheduled = false
    }
}
