import AviaryWire

/// A node's data and metadata, as `getData` returns them. A node created with null data reads as empty.
public struct NodeData: Sendable, Hashable {
    public var data: [UInt8]
    public var stat: Stat

    public init(data: [UInt8], stat: Stat) {
        self.data = data
        self.stat = stat
    }
}
