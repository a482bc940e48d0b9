/// Runs `body` and returns its result or error as a value, so retry loops can `switch` over failures.
/// (Also sidesteps Swift 6.3 compiler crashes with typed-throws `do`/`catch where` blocks that `try`
/// again inside a catch.)
func outcome<Value>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws(ZooKeeperError) -> Value
) async -> Result<Value, ZooKeeperError> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
