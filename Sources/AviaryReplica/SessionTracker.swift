/// A client session as the replica tracks it.
public struct Session: Sendable, Hashable {
    public var id: Int64
    public var timeoutMillis: Int32
    /// The tick after which the session expires unless touched.
    public var expiryTick: Int64
    /// Set once its closeSession txn is prepared: it accepts nothing more.
    public var isClosing: Bool
}

/// Sessions with tick-based expiry (ZooKeeper's SessionTrackerImpl without its threads).
public struct SessionTracker: Sendable {
    public private(set) var sessions: [Int64: Session] = [:]
    public let tickTimeMillis: Int
    private var nextSessionId: Int64

    /// `serverId` fills the top byte of every id; `seedMillis` makes ids unique across restarts.
    public init(serverId: Int64, seedMillis: Int64, tickTimeMillis: Int) {
        precondition(tickTimeMillis > 0)
        self.tickTimeMillis = tickTimeMillis
        var first = Int64(bitPattern: UInt64(bitPattern: seedMillis << 24) >> 8) | (serverId << 56)
        if first == Int64(bitPattern: 0x8000_0000_0000_0000) { first += 1 }
        nextSessionId = first
    }

    public mutating func allocateSessionId() -> Int64 {
        let id = nextSessionId
        nextSessionId += 1
        if nextSessionId == Int64(bitPattern: 0x8000_0000_0000_0000) { nextSessionId += 1 }
        return id
    }

    func expiryTick(timeoutMillis: Int32, now tick: Int64) -> Int64 {
        // Round up to whole ticks, plus one so a session is never cut short by tick phase.
        tick + (Int64(timeoutMillis) + Int64(tickTimeMillis) - 1) / Int64(tickTimeMillis) + 1
    }

    public mutating func add(id: Int64, timeoutMillis: Int32, now tick: Int64) {
        sessions[id] = Session(
            id: id, timeoutMillis: timeoutMillis, expiryTick: expiryTick(timeoutMillis: timeoutMillis, now: tick),
            isClosing: false)
    }

    public func isActive(_ id: Int64) -> Bool {
        guard let session = sessions[id] else { return false }
        return !session.isClosing
    }

    /// Extends a live session's lease; false if it is unknown or closing. A reconnect passes the timeout it
    /// negotiated, which the session keeps from then on (ZooKeeper touches with the connection's timeout).
    @discardableResult
    public mutating func touch(_ id: Int64, now tick: Int64, timeoutMillis: Int32? = nil) -> Bool {
        guard let session = sessions[id], !session.isClosing else { return false }
        let timeout = timeoutMillis ?? session.timeoutMillis
        sessions[id]!.timeoutMillis = timeout
        sessions[id]!.expiryTick = expiryTick(timeoutMillis: timeout, now: tick)
        return true
    }

    public mutating func setClosing(_ id: Int64) {
        sessions[id]?.isClosing = true
    }

    public mutating func remove(_ id: Int64) {
        sessions[id] = nil
    }

    /// Live sessions whose lease ran out by `tick`, in id order.
    public func expired(at tick: Int64) -> [Int64] {
        sessions.values.filter { !$0.isClosing && $0.expiryTick <= tick }.map(\.id).sorted()
    }

    public var count: Int { sessions.count }
}

extension SessionTracker {
    /// Gives every live session a full lease from `tick` (a new leader cannot know when each was last heard).
    public mutating func renewAll(now tick: Int64) {
        for id in sessions.keys where sessions[id]?.isClosing == false {
            touch(id, now: tick)
        }
    }

    public mutating func removeAll() {
        for id in Array(sessions.keys) { remove(id) }
    }
}
