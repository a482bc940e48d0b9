import NIOCore

/// Milliseconds that never go backwards, for the consensus core's deadlines.
enum MonotonicClock {
    static func millis() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000)
    }
}
