import Foundation
import Testing

/// DESIGN.md §2: imports between Aviary's own modules flow downward only. Each module may import the Aviary
/// modules listed for it and no other (third-party and system imports are checked by ModuleWallTests).
struct ModuleLayeringTests {
    struct Layer: Sendable, CustomTestStringConvertible {
        var module: String
        var mayImport: Set<String>

        var testDescription: String { module }
    }

    static let layers: [Layer] = [
        Layer(module: "AviaryWire", mayImport: []),
        Layer(module: "AviaryDataTree", mayImport: ["AviaryWire"]),
        Layer(module: "AviaryConsensus", mayImport: []),
        Layer(module: "AviaryReplica", mayImport: ["AviaryWire", "AviaryDataTree", "AviaryConsensus"]),
        Layer(module: "AviarySimulator", mayImport: ["AviaryReplica", "AviaryConsensus", "AviaryDataTree", "AviaryWire"]),
        Layer(module: "AviaryStorage", mayImport: ["AviaryWire", "AviaryDataTree", "CZlib"]),
        // TLS knows nothing of ZooKeeper: certificates, contexts and the port guard.
        Layer(module: "AviaryTLS", mayImport: []),
        Layer(module: "AviaryTransport", mayImport: ["AviaryWire", "AviaryTLS"]),
        // The client side never reaches into the server.
        Layer(module: "AviaryClient", mayImport: ["AviaryWire", "AviaryTransport"]),
        Layer(module: "AviaryShell", mayImport: ["AviaryClient", "AviaryWire", "CEditLine"]),
        Layer(module: "AviaryBench", mayImport: ["AviaryClient", "AviaryWire"]),
    ]

    /// Every target of the package: the folders of `Sources/`.
    static func packageModules() throws -> Set<String> {
        let sources = try SourceScanner.packageRoot().appendingPathComponent("Sources")
        return Set(try FileManager.default.contentsOfDirectory(atPath: sources.path))
    }

    @Test(arguments: layers)
    func moduleImportsOnlyTheAviaryModulesBelowIt(layer: Layer) throws {
        let ours = try Self.packageModules()
        for file in try SourceScanner.swiftFiles(of: layer.module) {
            for (number, line) in try SourceScanner.codeLines(of: file) {
                guard let module = SourceScanner.importedModule(in: line) else { continue }
                if ours.contains(module) && !layer.mayImport.contains(module) {
                    Issue.record("\(file.lastPathComponent):\(number): \(layer.module) must not import \(module)")
                }
            }
        }
    }
}
