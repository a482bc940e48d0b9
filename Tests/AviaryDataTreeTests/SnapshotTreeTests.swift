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
        let paths = ["", "/a", "/a/x", "/a/x/y", "/b", "/a-long-name-of-a-parent", "/a-long-name-of-a-parent/c"]
        var reader = JuteReader(Self.section(paths))
        let tree = try DataTree(snapshotTree: &reader, lastProcessedZxid: 1)
        #expect(tree.allPaths().sorted() == (paths.dropFirst() + ["/"]).sorted())
        #expect(tree.children(of: "/") == ["a", "a-long-name-of-a-parent", "b"])
        #expect(tree.children(of: "/a/x") == ["y"])
        #expect(tree.node(at: "/a-long-name-of-a-parent/c")?.data == Array("/a-long-name-of-a-parent/c".utf8))
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
