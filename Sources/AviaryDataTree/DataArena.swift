/// Node data packed into large pages instead of one heap array per node.
///
/// A `[UInt8]` of 100 bytes costs 144 bytes of heap (a 32-byte header, malloc's rounding) and, being long-lived
/// among short-lived request buffers, fragments the heap. Here an item costs an 8-byte header plus its bytes
/// rounded up to 8, in 256 KiB pages. Items are appended to one open page; freeing one only lowers its page's
/// live count. A page less than half live is cleaned: its live items are appended to the open page (the caller
/// updates their owners) and the page is released, as a log-structured store cleans its segments. So the pages
/// hold at most about twice the live bytes, and usually close to them.
///
///     page = *item
///     item = int32 owner, int32 length, byte[length], padding to a multiple of 8
///
/// The header lets cleaning walk a page and ask each owner whether the item is still its data. An item larger
/// than a quarter page gets a page of its own, released when the item is freed.
///
/// A location is a page number (upper 17 bits) and an offset in 8-byte granules (lower 15 bits): 32 GiB of pages.
struct DataArena: Sendable {
    typealias Location = UInt32

    struct Item: Sendable {
        var owner: NodeID
        var location: Location
        var length: Int
    }

    private struct Page: Sendable {
        var bytes: [UInt8]
        var liveBytes: Int
    }

    static let pageBytes = 1 << 18
    private static let granuleShift = 3
    private static let offsetBits = 15
    private static let headerBytes = 8
    private static let dedicatedPageFrom = pageBytes / 4

    private var pages: [Page] = []
    private var releasedPages: [Int] = []
    private var openPage: Int?
    /// Pages to look at once the current operation is done: ones that filled up while items on them were freed.
    private(set) var cleaningCandidates: [Int] = []
    /// Bytes held by pages, live or not.
    private(set) var pageBytesInUse = 0

    init() {}

    /// Copies `bytes` (not empty) into the arena as `owner`'s data.
    mutating func store(_ bytes: UnsafeRawBufferPointer, owner: NodeID) -> Location {
        precondition(!bytes.isEmpty && bytes.count <= Int(Int32.max))
        let size = Self.itemSize(length: bytes.count)
        let page: Int
        if bytes.count >= Self.dedicatedPageFrom {
            page = newPage(capacity: size)
        } else if let open = openPage, pages[open].bytes.count + size <= Self.pageBytes {
            page = open
        } else {
            if let open = openPage { retire(open) }
            page = newPage(capacity: Self.pageBytes)
            openPage = page
        }
        let offset = pages[page].bytes.count
        withUnsafeBytes(of: (owner, Int32(bytes.count))) { pages[page].bytes.append(contentsOf: $0) }
        pages[page].bytes.append(contentsOf: bytes)
        pages[page].bytes.append(contentsOf: repeatElement(0, count: size - Self.headerBytes - bytes.count))
        pages[page].liveBytes += size
        return Self.location(page: page, offset: offset)
    }

    /// The length of the item's data, from its header.
    func length(at location: Location) -> Int {
        let (page, offset) = Self.split(location)
        return pages[page].bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self)) }
    }

    /// Runs `body` over the item's bytes, in place.
    func withBytes<Result>(
        at location: Location, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let (page, offset) = Self.split(location)
        return try pages[page].bytes.withUnsafeBytes { all in
            let length = Int(all.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self))
            let start = offset + Self.headerBytes
            return try body(UnsafeRawBufferPointer(rebasing: all[start..<(start + length)]))
        }
    }

    /// Marks an item dead; returns its page if that page should now be cleaned.
    mutating func free(at location: Location) -> Int? {
        let (page, _) = Self.split(location)
        pages[page].liveBytes -= Self.itemSize(length: length(at: location))
        precondition(pages[page].liveBytes >= 0, "data freed twice")
        if page == openPage { return nil }
        if pages[page].liveBytes == 0 {
            release(page)
            return nil
        }
        return pages[page].liveBytes * 2 < pages[page].bytes.count ? page : nil
    }

    /// Every item written on `page`, live or dead, in order; the caller decides which are live.
    func items(onPage page: Int) -> [Item] {
        var items: [Item] = []
        pages[page].bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let owner = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self))
                items.append(Item(owner: owner, location: Self.location(page: page, offset: offset), length: length))
                offset += Self.itemSize(length: length)
            }
        }
        return items
    }

    /// Copies a live item to the open page and frees the original; returns the new location. For cleaning.
    mutating func move(_ item: Item) -> Location {
        let (page, offset) = Self.split(item.location)
        // Read through a local reference to the old page: `store` mutates `pages` while the bytes are in use.
        let bytes = pages[page].bytes
        let start = offset + Self.headerBytes
        let moved = bytes.withUnsafeBytes { all in
            store(UnsafeRawBufferPointer(rebasing: all[start..<(start + item.length)]), owner: item.owner)
        }
        pages[page].liveBytes -= Self.itemSize(length: item.length)
        return moved
    }

    /// Gives up a page whose live items have all moved.
    mutating func releaseCleaned(_ page: Int) {
        precondition(pages[page].liveBytes == 0 && page != openPage)
        release(page)
    }

    mutating func takeCleaningCandidates() -> [Int] {
        defer { cleaningCandidates = [] }
        return cleaningCandidates
    }

    /// Whether `page` still holds bytes and is less than half live: a candidate may have been cleaned or
    /// released since it was noted.
    func needsCleaning(_ page: Int) -> Bool {
        page != openPage && !pages[page].bytes.isEmpty && pages[page].liveBytes * 2 < pages[page].bytes.count
    }

    // MARK: Pages

    private mutating func newPage(capacity: Int) -> Int {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        pageBytesInUse += bytes.capacity
        let page = Page(bytes: bytes, liveBytes: 0)
        if let reused = releasedPages.popLast() {
            pages[reused] = page
            return reused
        }
        precondition(pages.count < 1 << (32 - Self.offsetBits), "node data exceeds the arena's 32 GiB")
        pages.append(page)
        return pages.count - 1
    }

    /// The open page is full: it takes no more items, and is cleaned later if items on it died meanwhile.
    private mutating func retire(_ page: Int) {
        openPage = nil
        if pages[page].liveBytes == 0 {
            release(page)
        } else if pages[page].liveBytes * 2 < pages[page].bytes.count {
            cleaningCandidates.append(page)
        }
    }

    private mutating func release(_ page: Int) {
        pageBytesInUse -= pages[page].bytes.capacity
        pages[page] = Page(bytes: [], liveBytes: 0)
        releasedPages.append(page)
    }

    // MARK: Encoding

    private static func itemSize(length: Int) -> Int {
        (headerBytes + length + (1 << granuleShift) - 1) & ~((1 << granuleShift) - 1)
    }

    private static func location(page: Int, offset: Int) -> Location {
        Location(page << offsetBits | offset >> granuleShift)
    }

    private static func split(_ location: Location) -> (page: Int, offset: Int) {
        (Int(location >> offsetBits), Int(location & (1 << offsetBits - 1)) << granuleShift)
    }
}
