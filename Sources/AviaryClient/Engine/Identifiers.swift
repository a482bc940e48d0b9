/// One TCP connection attempt. Inputs that name an older connection are stale and ignored, so a late close
/// or frame from a connection already given up cannot disturb the current one.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    var rawValue: UInt64
    var description: String { "connection#\(rawValue)" }
}

/// One caller waiting for a reply. Allocated by the shell, opaque to the state machine.
struct RequestID: Hashable, Sendable {
    var rawValue: UInt64
}

/// One client-side watch registration. Several may share a server-side watch (same path and kind).
struct WatchID: Hashable, Sendable {
    var rawValue: UInt64
}
