/// Counters behind srvr, stat, mntr and cons.
struct ServerStatistics {
    var packetsReceived = 0
    var packetsSent = 0
    var minLatencyMillis = Int.max
    var maxLatencyMillis = 0
    var totalLatencyMillis = 0
    var latencySamples = 0
    var authFailures = 0
    var connectionsRejected = 0
    var bytesReceived = 0

    mutating func recordLatency(_ millis: Int) {
        minLatencyMillis = min(minLatencyMillis, millis)
        maxLatencyMillis = max(maxLatencyMillis, millis)
        totalLatencyMillis += millis
        latencySamples += 1
    }

    var averageLatencyMillis: Double {
        latencySamples == 0 ? 0 : Double(totalLatencyMillis) / Double(latencySamples)
    }

    /// "min/avg/max" as ZooKeeper prints it (avg with up to four decimals).
    var latencySummary: String {
        "\(latencySamples == 0 ? 0 : minLatencyMillis)/\(Self.format(averageLatencyMillis))/\(maxLatencyMillis)"
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        var text = "\(scaled)"
        if text.hasSuffix(".0") { text = String(text.dropLast(2)) + ".0" }
        return text
    }

    mutating func reset() {
        self = ServerStatistics()
    }
}
