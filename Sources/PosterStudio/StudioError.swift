/// Bad input to a composed job (a dataset, a model folder, a prompt), with a message that names it.
public struct StudioError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
