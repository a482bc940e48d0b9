import AviaryWire
import Foundation
import NIOCore
import Testing

/// Every stream captured from a real ZooKeeper 3.8 ensemble's election and learner ports decodes, fed one byte
/// at a time, into the messages the capture tool saw, and re-encodes to exactly the captured bytes.
struct QuorumGoldenTests {
    /// ZooKeeper's default jute.maxbuffer plus the padding its readers allow.
    static let packetBytesMax = 0xFFFFF + 1024

    /// Decodes `bytes` handed over in pieces of `chunkSize`, the way a socket might deliver them.
    static func items(of stream: QuorumStream, _ bytes: [UInt8], chunkSize: Int) throws -> [QuorumItem] {
        var electionDecoder = ElectionFrameDecoder(expectsHandshake: stream.dialer)
        var learnerDecoder = LearnerStreamDecoder(packetBytesMax: packetBytesMax)
        var received = ByteBuffer()
        var items: [QuorumItem] = []
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            received.writeBytes(bytes[start..<min(start + chunkSize, bytes.count)])
            if stream.isElection {
                while let item = try electionDecoder.next(from: &received) { items.append(.election(item)) }
            } else {
                while let item = try learnerDecoder.next(from: &received) { items.append(.learner(item)) }
            }
        }
        #expect(received.readableBytes == 0, "\(received.readableBytes) bytes left undecoded")
        return items
    }

    @Test(arguments: QuorumFixtures.streams)
    func capturedStreamDecodedByteByByteMatchesTheCaptureTool(stream: QuorumStream) throws {
        let bytes = try QuorumFixtures.bytes(of: stream)
        let items = try Self.items(of: stream, bytes, chunkSize: 1)
        let lines = try items.map { try $0.rendering() }
        let expected = try QuorumFixtures.expectedLines(of: stream)
        #expect(lines.count == stream.kept)
        for (index, (line, expectedLine)) in zip(lines, expected).enumerated() {
            #expect(line == expectedLine, "message \(index)")
        }
        #expect(lines.count == expected.count)
    }

    @Test(arguments: QuorumFixtures.streams)
    func capturedStreamReencodesToTheSameBytes(stream: QuorumStream) throws {
        let bytes = try QuorumFixtures.bytes(of: stream)
        var reencoded = ByteBuffer()
        for item in try Self.items(of: stream, bytes, chunkSize: bytes.count) {
            try item.encode(to: &reencoded)
        }
        #expect(Array(reencoded.readableBytesView) == bytes)
    }

    @Test(arguments: [2, 3, 7, 64, 4096])
    func capturedStreamsDecodeTheSameWhateverTheChunkSize(chunkSize: Int) throws {
        for stream in QuorumFixtures.streams {
            let bytes = try QuorumFixtures.bytes(of: stream)
            let whole = try Self.items(of: stream, bytes, chunkSize: bytes.count)
            #expect(try Self.items(of: stream, bytes, chunkSize: chunkSize) == whole, "\(stream.name)")
        }
    }
}

/// One decoded unit of either port.
enum QuorumItem: Equatable {
    case election(ElectionInbound)
    case learner(LearnerStreamItem)

    func rendering() throws -> String {
        switch self {
        case .election(let item): try QuorumRendering.election(item)
        case .learner(let item): try QuorumRendering.learner(item)
        }
    }

    func encode(to buffer: inout ByteBuffer) throws {
        switch self {
        case .election(.handshake(let handshake)):
            handshake.encode(to: &buffer)
        case .election(.message(let message)):
            buffer.writeElectionMessage(try ElectionNotification.decode(from: message))
        case .learner(let item):
            item.encode(to: &buffer)
        }
    }
}

/// What the captures hold, so that a re-capture that loses a scenario step fails here rather than silently
/// shrinking the coverage.
struct QuorumFixtureInventoryTests {
    @Test func everyStreamInTheManifestHasItsFilesAndViceVersa() throws {
        let listed = try QuorumFixtures.manifest().map(\.name).sorted()
        #expect(!listed.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: QuorumFixtures.directory().path)
        #expect(files.filter { $0.hasSuffix(".hex") }.map { String($0.dropLast(4)) }.sorted() == listed)
        #expect(files.filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted() == listed)
    }

    @Test func capturesCoverEveryMessageTheQuorumProtocolUsesOutsideReconfigAndObservers() throws {
        var kinds = Set<String>()
        for stream in try QuorumFixtures.manifest() {
            for line in try QuorumFixtures.expectedLines(of: stream) {
                let words = line.split(separator: " ")
                kinds.insert(words[0] == "notification" ? String(words[0] + " " + words[1]) : String(words[0]))
                if words[0] == "handshake" { kinds.insert(String(words[0] + " " + words[1])) }
            }
        }
        let required: Set<String> = [
            "handshake v1", "notification state=LOOKING", "notification state=FOLLOWING",
            "notification state=LEADING", "FOLLOWERINFO", "LEADERINFO", "ACKEPOCH", "DIFF", "TRUNC", "SNAP",
            "snapshot", "NEWLEADER", "UPTODATE", "PROPOSAL", "ACK", "COMMIT", "PING", "REQUEST", "REVALIDATE",
        ]
        #expect(required.subtracting(kinds).isEmpty, "missing: \(required.subtracting(kinds).sorted())")
    }

    @Test func fixturesStayWellUnderTheirSizeBudget() throws {
        let directory = try QuorumFixtures.directory()
        let total = try FileManager.default.contentsOfDirectory(atPath: directory.path).reduce(0) { sum, name in
            let path = directory.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return sum + ((attributes[.size] as? Int) ?? 0)
        }
        #expect(total < 200_000)
    }
}
