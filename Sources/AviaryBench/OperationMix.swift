/// The operations the benchmark issues.
public enum BenchOperation: String, Sendable, Hashable, CaseIterable, Comparable {
    case create
    case set
    case get
    case exists
    /// Deletes a node this slot created earlier; with none left it creates one instead (counted as create).
    case delete
    /// An atomic multi of a version check (any version) and a setData on two keys.
    case multi
    /// getData with a watch on a key, then setData on it; the operation ends when the watch fires, so its
    /// latency covers read, write and notification.
    case watch = "watch-heavy"

    public static func < (lhs: BenchOperation, rhs: BenchOperation) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A weighted choice of operations, parsed from `get=90,set=10` (weights need not sum to 100).
public struct OperationMix: Sendable, Hashable, CustomStringConvertible {
    public private(set) var weights: [(operation: BenchOperation, weight: Int)]
    private let total: Int

    public init(parsing text: String) throws(BenchError) {
        var weights: [(BenchOperation, Int)] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            let name = pieces[0].trimmingCharacters()
            let operation = name == "watch" ? .watch : BenchOperation(rawValue: name)
            guard let operation else {
                throw BenchError("unknown operation \"\(name)\" in --mix; known: \(BenchOperation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let weight = pieces.count == 2 ? Int(pieces[1].trimmingCharacters()) : 1
            guard let weight, weight >= 0 else { throw BenchError("bad weight in --mix: \(part)") }
            guard !weights.contains(where: { $0.0 == operation }) else { throw BenchError("\(name) twice in --mix") }
            if weight > 0 { weights.append((operation, weight)) }
        }
        guard !weights.isEmpty else { throw BenchError("--mix names no operation with a positive weight") }
        self.weights = weights.sorted { $0.0 < $1.0 }
        self.total = weights.reduce(0) { $0 + $1.1 }
    }

    public var operations: [BenchOperation] { weights.map(\.operation) }

    /// The operation for a uniform draw in `0..<totalWeight`.
    public func operation(forDraw draw: Int) -> BenchOperation {
        var remaining = draw
        for (operation, weight) in weights {
            if remaining < weight { return operation }
            remaining -= weight
        }
        return weights[weights.count - 1].operation
    }

    public var totalWeight: Int { total }

    public var description: String {
        weights.map { "\($0.operation.rawValue)=\($0.weight)" }.joined(separator: ",")
    }

    public static func == (lhs: OperationMix, rhs: OperationMix) -> Bool {
        lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
