import AviaryDataTree
import AviaryWire
import NIOCore
import Testing

/// Tree sections of a snapshot that do not link up into a tree are refused with a reason; one that does, loads.
struct SnapshotTreeTests {
    struct Malformed: CustomTestStringConvertible, Sendable {
        var name: String
        var paths: [String]
        var reason: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "no root", paths: ["/a"], reason: "'/a' comes before its parent"),
        Malformed(name: "empty", paths: [], reason: "holds no root node"),
        Malformed(name: "root twice", paths: ["", "/a", ""], reason: "the root is not the first node"),
        Malformed(name: "child before parent", paths: ["", "/a/b", "/a"], reason: "'/a/b' comes before its parent"),
        Malformed(name: "a node twice", paths: ["", "/a", "/a/b", "/a"], reason: "'/a' appears twice"),
        Malformed(name: "the root by another name", paths: ["", "//"], reason: "'//' appears twice"),
        Malformed(name: "a relative path", paths: ["", "a"], reason: "'a' comes before its parent"),
    ]

    @Test(arguments: malformed)
    func aSectionThatDoesNotLinkUpIsRefused(_ section: Malformed) {
        var reader = JuteReader(Self.section(section.paths))
        #expect {
            _ = try DataTree(snapshotTree: &reader, lastProcessedZxid: 1)
        } throws: { error in
            (error as? SnapshotTreeError)?.reason.contains(section.reason) == true
        }
    }

    @Test func nodesAfterASubtreeFindTheirParentsAgain() throws {
        let paths = [
            "", "/a", "/a/x", "/a/x/y", "/b", "/a-long-name-of-a-parent", "/a-long-name-of-a-parent/c",
            // Canonically equivalent, different bytes: two parents, as in ZooKeeper.
            "/\u{E9}", "/e\u{301}", "/e\u{301}/d", "/\u{E9}/c",
        ]
        var reader = JuteReader(Self.section(paths))
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: 1)
        #expect(tree.allPaths().sorted() == (paths.dropFirst() + ["/"]).sorted())
        let rootChildren = ["a", "a-long-name-of-a-parent", "b", "\u{E9}", "e\u{301}"]
        #expect(Set(tree.children(of: "/").map { Array($0.utf8) }) == Set(rootChildren.map { Array($0.utf8) }))
        #expect(tree.children(of: "/a/x") == ["y"])
        #expect(tree.node(at: "/a-long-name-of-a-parent/c")?.data == Array("/a-long-name-of-a-parent/c".utf8))
        #expect(tree.children(of: "/e\u{301}").map { Array($0.utf8) } == [Array("d".utf8)])
        #expect(tree.children(of: "/\u{E9}").map { Array($0.utf8) } == [Array("c".utf8)])
        #expect(tree.node(at: "/e\u{301}/d")?.data == Array("/e\u{301}/d".utf8))
    }

    /// The snapshot's digest comes from the walk that writes it; it must be the digest of the whole tree, system
    /// nodes left out, or a snapshot would fail its own check on load.
    @Test func theDigestWrittenWithTheTreeIsTheTreesDigest() throws {
        let paths = ["", "/a", "/a/x", "/zookeeper", "/zookeeper/quota", "/zookeeper/quota/a", "/b"]
        var reader = JuteReader(Self.section(paths))
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: 1)
        var buffer = ByteBuffer()
        let digest = tree.serializeSnapshotTree(into: &buffer, flushAtBytes: 64) { $0.clear() }
        #expect(digest == tree.treeDigest())
        var withoutSystemNodes = JuteReader(Self.section(["", "/a", "/a/x", "/zookeeper", "/b"]))
        #expect(digest == (try DataTree(snapshotTree: &withoutSystemNodes, lastProcessedZxid: 1)).treeDigest())
    }

    /// What the writer lays out node by node reads back as the same tree: null data stays null, empty stays
    /// empty, every stat field keeps its place. A path with a character outside the Basic Multilingual Plane (a
    /// client may send one as plain UTF-8) goes out as ZooKeeper's jute writes it, a surrogate pair of three bytes
    /// each; read back, each of those bytes is malformed UTF-8, as it is for ZooKeeper's own reader.
    @Test func aTreeWrittenOutReadsBackTheSame() throws {
        let nodes: [(path: String, data: [UInt8]?)] = [
            ("", []), ("/plain", Array("x".utf8)), ("/plain/null", nil), ("/plain/empty", []),
            ("/bird-🐦", Array("d".utf8)), ("/bird-🐦/é", [UInt8](repeating: 7, count: 300)),
        ]
        var section = ByteBuffer()
        section.writeJuteInt(0)
        for (index, node) in nodes.enumerated() {
            let n = Int64(index)
            // Plain UTF-8, as a client sends it, so the tree holds the character itself.
            section.writeJuteBuffer(Array(node.path.utf8))
            section.writeJuteBuffer(node.data)
            section.writeJuteLong(-1)
            StatPersisted(
                czxid: 10 + n, mzxid: 20 + n, ctime: 30 + n, mtime: 40 + n, version: Int32(50 + n),
                cversion: Int32(60 + n), aversion: Int32(70 + n), ephemeralOwner: 0, pzxid: 80 + n
            ).encode(to: &section)
        }
        section.writeJuteString("/")
        var reader = JuteReader(section)
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: 1)

        var written = ByteBuffer()
        tree.serializeSnapshotTree(into: &written, flushAtBytes: 1 << 20) { _ in Issue.record("flushed early") }
        var readBack = JuteReader(written)
        let copy = try DataTree(snapshotTree: &readBack, lastProcessedZxid: 1)
        let surrogates: [UInt8] = [0xED, 0xA0, 0xBD, 0xED, 0xB0, 0xA6]
        let readBackBird = String(decoding: surrogates, as: UTF8.self)
        for (path, data) in nodes {
            let original = path.isEmpty ? "/" : path
            let expected = original.unicodeScalars.map { $0 == "🐦" ? readBackBird : String($0) }.joined()
            #expect(copy.node(at: expected)?.data == data, "data of \(original)")
            #expect(copy.node(at: expected)?.stat == tree.node(at: original)?.stat, "stat of \(original)")
        }
        #expect(copy.nodeCount == tree.nodeCount)
        #expect(Self.bytes(of: written).contains([0, 0, 0, 12] + Array("/bird-".utf8) + surrogates))
        #expect(!Self.bytes(of: written).contains(Array("🐦".utf8)))
    }

    static func bytes(of buffer: ByteBuffer) -> BytesSearch { BytesSearch(bytes: Array(buffer.readableBytesView)) }

    struct BytesSearch {
        var bytes: [UInt8]
        func contains(_ needle: [UInt8]) -> Bool {
            guard needle.count <= bytes.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    /// An empty ACL table, then each path with its own path as data and open ACLs, then the terminator.
    static func section(_ paths: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(0)
        for path in paths {
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(Array(path.utf8))
            buffer.writeJuteLong(-1)
            StatPersisted(
                czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0,
                pzxid: 1
            ).encode(to: &buffer)
        }
        buffer.writeJuteString("/")
        return buffer
    }
}
