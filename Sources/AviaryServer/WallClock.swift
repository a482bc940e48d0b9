import Foundation

/// The wall clock, read only at the edge: it stamps transactions and measures latency.
enum WallClock {
    static func millis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
