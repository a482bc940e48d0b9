/// A growable array stored as fixed-size chunks, each its own copy-on-write array.
///
/// The tree is a value, and a snapshot keeps a copy of it while the server goes on applying writes. With one flat
/// array the first write after the copy would duplicate every node; here it duplicates the chunk it touches (and
/// the short array of chunk references). Growth appends chunks and never moves existing elements, so there is no
/// reallocation that briefly holds the old and the doubled buffer at once.
struct ChunkedArray<Element: Sendable>: Sendable {
    /// 1,024 elements per chunk: small enough that a write after a snapshot copies little, large enough that the
    /// chunk references (8 bytes each) are noise.
    private static var chunkShift: Int { 10 }
    private static var chunkSize: Int { 1 << chunkShift }
    private static var chunkMask: Int { chunkSize - 1 }

    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    /// Reads check `index` against `count`, which every chunk below it fills, and then skip the chunk's own
    /// bounds check: that check loads the chunk's header, one more cache miss on a lookup that is mostly misses.
    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "index out of range")
            return chunks[index &>> Self.chunkShift].withUnsafeBufferPointer { $0[index & Self.chunkMask] }
        }
        _modify {
            yield &chunks[index &>> Self.chunkShift][index & Self.chunkMask]
        }
    }

    mutating func append(_ element: Element) {
        if count & Self.chunkMask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}
