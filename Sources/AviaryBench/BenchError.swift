/// A benchmark that cannot run: a bad option, or a server that cannot be reached or set up.
public struct BenchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
