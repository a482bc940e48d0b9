import Foundation
import Testing

/// One frame captured from real ZooKeeper 3.8 traffic, as `Fixtures/golden/MANIFEST.tsv` lists it.
///
/// Manifest grammar (tab-separated, one header line):
///
///     name  direction(c2s|s2c)  client  kind  decoded
///     kind = connect_request | connect_response | request:<op> | reply:<op> | notification
///
/// `<name>.hex` holds the frame's payload (without the 4-byte length) as hex, wrapped over several lines.
struct GoldenFrame: Sendable, CustomTestStringConvertible {
    var name: String
    var direction: String
    var client: String
    var kind: String
    var decoded: String

    var testDescription: String { name }

    /// The opcode name after `request:` or `reply:`, if the kind has one.
    var opName: String? {
        guard let colon = kind.firstIndex(of: ":") else { return nil }
        return String(kind[kind.index(after: colon)...])
    }
}

enum GoldenFixtures {
    struct MissingFixture: Error, CustomStringConvertible {
        var description: String
    }

    static func goldenDirectory() throws -> URL {
        guard let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw MissingFixture(description: "the Fixtures resource directory is not in the test bundle")
        }
        return fixtures.appendingPathComponent("golden", isDirectory: true)
    }

    static func manifest() throws -> [GoldenFrame] {
        let url = try goldenDirectory().appendingPathComponent("MANIFEST.tsv")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst()
        return try lines.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 5 else {
                throw MissingFixture(description: "manifest line has \(columns.count) columns: \(line)")
            }
            return GoldenFrame(
                name: columns[0], direction: columns[1], client: columns[2], kind: columns[3], decoded: columns[4])
        }
    }

    static func hexFileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: goldenDirectory().path)
            .filter { $0.hasSuffix(".hex") }
            .map { String($0.dropLast(4)) }
            .sorted()
    }

    static func bytes(of name: String) throws -> [UInt8] {
        let url = try goldenDirectory().appendingPathComponent(name + ".hex")
        let text = try String(contentsOf: url, encoding: .utf8)
        let digits = Array(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard digits.count % 2 == 0 else { throw MissingFixture(description: "\(name).hex has an odd digit count") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                throw MissingFixture(description: "\(name).hex holds a non-hex digit")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0x61...0x66: UInt8(scalar.value - 0x61 + 10)
        case 0x41...0x46: UInt8(scalar.value - 0x41 + 10)
        default: nil
        }
    }
}

struct GoldenFixtureInventoryTests {
    @Test func everyCapturedFrameIsListedInTheManifestAndViceVersa() throws {
        let listed = try GoldenFixtures.manifest().map(\.name).sorted()
        #expect(listed.count == 84)
        #expect(Set(listed).count == listed.count, "a frame is listed twice")
        #expect(try GoldenFixtures.hexFileNames() == listed)
    }

    @Test func manifestCoversEveryKindOfFrame() throws {
        let kinds = Set(
            try GoldenFixtures.manifest().map { $0.kind.split(separator: ":").first.map(String.init) ?? "" })
        #expect(kinds == ["connect_request", "connect_response", "request", "reply", "notification"])
    }
}
