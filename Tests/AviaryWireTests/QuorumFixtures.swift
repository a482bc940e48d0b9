import Foundation
import Testing

/// One direction of one quorum connection captured from a real ZooKeeper 3.8 ensemble, as
/// `Fixtures/quorum/MANIFEST.tsv` lists it (written by `Fixtures/quorum/capture.py`, whose header has the grammar).
///
///     name  port(election|learner)  dialer(yes|no)  from  to  kept  seen
///
/// `<name>.hex` holds the stream's bytes (a prefix cut at a message boundary), `<name>.txt` one line per message
/// as the capture tool decoded it.
struct QuorumStream: Sendable, CustomTestStringConvertible {
    var name: String
    var port: String
    /// The bytes the connecting side wrote: an election stream then starts with the handshake.
    var dialer: Bool
    var from: Int
    var to: Int
    var kept: Int

    var testDescription: String { name }
    var isElection: Bool { port == "election" }
}

enum QuorumFixtures {
    static func directory() throws -> URL {
        guard let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw GoldenFixtures.MissingFixture(description: "the Fixtures resource directory is not in the bundle")
        }
        return fixtures.appendingPathComponent("quorum", isDirectory: true)
    }

    /// The manifest, or an empty list when it cannot be read (the inventory test then fails with the reason).
    static let streams: [QuorumStream] = (try? manifest()) ?? []

    static func manifest() throws -> [QuorumStream] {
        let text = try String(contentsOf: directory().appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").dropFirst().map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 7, let from = Int(columns[3]), let to = Int(columns[4]), let kept = Int(columns[5])
            else { throw GoldenFixtures.MissingFixture(description: "bad manifest line: \(line)") }
            return QuorumStream(
                name: columns[0], port: columns[1], dialer: columns[2] == "yes", from: from, to: to, kept: kept)
        }
    }

    static func bytes(of stream: QuorumStream) throws -> [UInt8] {
        let text = try String(contentsOf: directory().appendingPathComponent(stream.name + ".hex"), encoding: .utf8)
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
        guard digits.count % 2 == 0 else {
            throw GoldenFixtures.MissingFixture(description: "odd hex in \(stream.name)")
        }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                throw GoldenFixtures.MissingFixture(description: "non-hex digit in \(stream.name)")
            }
            return byte
        }
    }

    /// The capture tool's rendering, one line per message.
    static func expectedLines(of stream: QuorumStream) throws -> [String] {
        let text = try String(contentsOf: directory().appendingPathComponent(stream.name + ".txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }
}
