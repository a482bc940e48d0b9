import Foundation
import Testing

/// The walls of DESIGN.md §2: the pure modules import only what they may, and call no clock, randomness,
/// thread or task API. Each wall is checked line by line over every Swift file of the module.
struct ModuleWallTests {
    /// A module and what its sources must not name.
    struct Wall: Sendable, CustomTestStringConvertible {
        var module: String
        var forbiddenImports: [String]
        /// Present in every checkout (the wall is vacuous if its module has no files); false for modules to come.
        var required: Bool
        /// The simulator draws from its own seeded generator (`random(in:using:)`), never from the system's.
        var allowsSeededRandomness = false

        var testDescription: String { module }
    }

    /// Modules that bring I/O, clocks or threads into a pure module.
    static let systemModules = [
        "NIOPosix", "NIOSSL", "Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Darwin", "Musl",
    ]

    static let walls: [Wall] = [
        Wall(module: "AviaryWire", forbiddenImports: systemModules, required: true),
        Wall(module: "AviaryDataTree", forbiddenImports: systemModules, required: true),
        Wall(module: "AviaryReplica", forbiddenImports: systemModules, required: true),
        // Consensus takes the standard library and swift-collections only: no NIO at all.
        Wall(module: "AviaryConsensus", forbiddenImports: systemModules + ["NIOCore", "NIO"], required: true),
        // The simulator is single-threaded and runs on simulated time: a run must be a function of its seed.
        Wall(module: "AviarySimulator", forbiddenImports: systemModules, required: true, allowsSeededRandomness: true),
    ]

    /// Calls that read a clock, draw randomness, or start concurrent work.
    static let forbiddenCalls: [(name: String, pattern: String)] = [
        ("Date(", #"\bDate\s*\("#),
        ("Date.now", #"\bDate\.now\b"#),
        ("ContinuousClock", #"\bContinuousClock\b"#),
        ("SuspendingClock", #"\bSuspendingClock\b"#),
        (".random(", #"\.random\s*\("#),
        ("SystemRandomNumberGenerator", #"\bSystemRandomNumberGenerator\b"#),
        ("DispatchQueue", #"\bDispatchQueue\b"#),
        ("Task {", #"\bTask\s*(\(\s*(priority:[^)]*)?\))?\s*\{"#),
        ("Task.detached", #"\bTask\.detached\b"#),
        ("Thread", #"\bThread\b"#),
    ]

    @Test(arguments: walls)
    func pureModuleImportsNothingThatBringsIOOrClocks(wall: Wall) throws {
        let files = try SourceScanner.swiftFiles(of: wall.module)
        if wall.required { #expect(!files.isEmpty, "no sources found for \(wall.module)") }
        for file in files {
            for (number, line) in try SourceScanner.codeLines(of: file) {
                if let module = SourceScanner.importedModule(in: line), wall.forbiddenImports.contains(module) {
                    Issue.record("\(file.lastPathComponent):\(number) imports \(module)")
                }
            }
        }
    }

    @Test(arguments: walls)
    func pureModuleCallsNoClockRandomnessThreadOrTask(wall: Wall) throws {
        let files = try SourceScanner.swiftFiles(of: wall.module)
        if wall.required { #expect(!files.isEmpty, "no sources found for \(wall.module)") }
        let patterns = try Self.forbiddenCalls.map { ($0.name, try Regex($0.pattern)) }
        for file in files {
            for (number, line) in try SourceScanner.codeLines(of: file) {
                for (name, pattern) in patterns where line.contains(pattern) {
                    if wall.allowsSeededRandomness && name == ".random(" && line.contains("using:") { continue }
                    Issue.record("\(file.lastPathComponent):\(number) calls \(name): \(line)")
                }
            }
        }
    }

    @Test(
        arguments: [
            ("import Foundation", "Foundation"),
            ("internal import NIOPosix", "NIOPosix"),
            ("@preconcurrency import Dispatch", "Dispatch"),
            ("public import struct Foundation.Date", "Foundation"),
            ("@_exported import NIOSSL", "NIOSSL"),
            ("  import Glibc  // for time()", "Glibc"),
            ("import NIOCore", "NIOCore"),
        ] as [(String, String)])
    func scannerSeesEveryFormOfImport(line: String, module: String) {
        #expect(SourceScanner.importedModule(in: SourceScanner.strippingComment(line)) == module)
    }

    @Test(arguments: ["// import Foundation", "let text = \"import Foundation\"", "/// Date() is not called here"])
    func scannerIgnoresCommentsAndStrings(line: String) throws {
        let code = SourceScanner.strippingComment(line)
        #expect(SourceScanner.importedModule(in: code) == nil)
        #expect(!code.contains(try Regex(#"\bDate\s*\("#)))
    }

    @Test(arguments: ["Task { await run() }", "Task(priority: .high) {", "let now = Date()", "Int.random(in: 0..<3)"])
    func scannerFlagsForbiddenCalls(line: String) throws {
        let flagged = try Self.forbiddenCalls.contains { line.contains(try Regex($0.pattern)) }
        #expect(flagged)
    }

    @Test(arguments: ["let task = QueuedTask(id: 1)", "enum TaskState {", "let update = Updater.update()"])
    func scannerDoesNotFlagLookAlikes(line: String) throws {
        let flagged = try Self.forbiddenCalls.contains { line.contains(try Regex($0.pattern)) }
        #expect(!flagged)
    }
}
