/// A read's result together with the one-shot watch it left.
public struct Watched<Value: Sendable>: Sendable {
    public var value: Value
    public var watch: OneShotWatch

    public init(value: Value, watch: OneShotWatch) {
        self.value = value
        self.watch = watch
    }
}
