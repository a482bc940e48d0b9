import AviaryStorage
import Foundation

/// `dataDir/myid`: this server's id in the ensemble, as ZooKeeper reads it (the whole file, trimmed).
enum MyIdFile {
    static func read(dataDir: String) throws -> Int64 {
        let path = (dataDir as NSString).appendingPathComponent("myid")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError("\(path) is missing: an ensemble member needs its id there (the N of its server.N line)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = Int64(text), id >= 0 else {
            throw StartupError("\(path) holds '\(text)', not a server id")
        }
        return id
    }
}
