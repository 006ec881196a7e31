/// Whether new parameters get random initial values. Loaders build a model
/// and then overwrite every parameter from its checkpoint, so inside
/// `withoutParameterInitialisation` the seeded initialisers return zeros
/// without drawing: an SD-size UNet would otherwise spend seconds on random
/// numbers it throws away.
public enum ParameterInitialisation {
    @TaskLocal public static var isSkipped = false
}

/// Runs `body` (building a model that is about to be loaded) with initialisation skipped.
public func withoutParameterInitialisation<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    // Keeps the caller's typed error (TaskLocal.withValue only rethrows untyped).
    let result: Result<T, E> = ParameterInitialisation.$isSkipped.withValue(true) { Result(catching: body) }
    return try result.get()
}
