/// A layer or model: a class whose stored properties are parameters,
/// sub-modules and arrays of sub-modules. Their checkpoint names come from
/// the property names, or from `@Key("down_blocks")` where the checkpoint
/// spells them differently, joined with dots and array indices
/// (`down_blocks.0.resnets.0.conv1.weight`), as PyTorch's state_dict does, so
/// loading a diffusers or transformers checkpoint is a matter of names.
open class Module: @unchecked Sendable {
    public init() {}

    /// Every parameter with its checkpoint name, in declaration order.
    public func namedParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        collect(prefix: "", into: &out)
        return out
    }

    public func parameters() -> [Parameter] { namedParameters().map(\.1) }

    /// Total number of scalars in the parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    func collect(prefix: String, into out: inout [(String, Parameter)]) {
        var mirror: Mirror? = Mirror(reflecting: self)
        var children: [(String, Any)] = []
        // Superclass properties first, as declared.
        var chain: [Mirror] = []
        while let m = mirror { chain.append(m); mirror = m.superclassMirror }
        for m in chain.reversed() {
            for child in m.children {
                guard let label = child.label else { continue }
                if let keyed = child.value as? KeyedProperty {
                    children.append((keyed.checkpointKey, keyed.anyValue))
                } else {
                    children.append((label, child.value))
                }
            }
        }
        for (name, value) in children { Self.visit(value, name: prefix + name, into: &out) }
    }

    static func visit(_ value: Any, name: String, into out: inout [(String, Parameter)]) {
        switch value {
        case let parameter as Parameter:
            out.append((name, parameter))
        case let module as Module:
            module.collect(prefix: name + ".", into: &out)
        case let modules as [Module]:
            for (index, module) in modules.enumerated() { module.collect(prefix: "\(name).\(index).", into: &out) }
        case let optional as OptionalChild:
            if let wrapped = optional.wrapped { visit(wrapped, name: name, into: &out) }
        default:
            break
        }
    }

    /// Loads values by name. Every parameter must be present with its shape;
    /// `strict` also refuses names the module does not have. Errors list every
    /// problem at once.
    public func load(_ values: [String: Tensor], strict: Bool = true) throws(ModuleLoadError) {
        let named = namedParameters()
        var missing: [String] = [], mismatched: [String] = []
        for (name, parameter) in named {
            guard let value = values[name] else { missing.append(name); continue }
            if value.shape != parameter.shape { mismatched.append("\(name): checkpoint \(value.shape), model \(parameter.shape)"); continue }
        }
        let known = Set(named.map(\.0))
        let unexpected = strict ? values.keys.filter { !known.contains($0) }.sorted() : []
        if !missing.isEmpty || !mismatched.isEmpty || !unexpected.isEmpty {
            throw ModuleLoadError(missing: missing, unexpected: unexpected, mismatched: mismatched)
        }
        for (name, parameter) in named { parameter.assign(values[name]!.scalars) }
    }

    /// Name -> current value, as a checkpoint stores it.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.0, $0.1.value.detached()) }, uniquingKeysWith: { a, _ in a })
    }

    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    public func setTrainable(_ trainable: Bool) { for p in parameters() { p.setTrainable(trainable) } }
}

/// Why a checkpoint did not fit a module: every missing, unexpected and mis-shaped name.
public struct ModuleLoadError: Error, Sendable, CustomStringConvertible {
    public var missing: [String]
    public var unexpected: [String]
    public var mismatched: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.count): \(missing.prefix(20).joined(separator: ", "))\(missing.count > 20 ? ", ..." : "")") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.count): \(unexpected.prefix(20).joined(separator: ", "))\(unexpected.count > 20 ? ", ..." : "")") }
        if !mismatched.isEmpty { parts.append("wrong shape \(mismatched.count): \(mismatched.prefix(20).joined(separator: "; "))") }
        return "checkpoint does not match the model: " + parts.joined(separator: "; ")
    }
}

/// A property whose checkpoint name differs from its Swift name.
protocol KeyedProperty {
    var checkpointKey: String { get }
    var anyValue: Any { get }
}

/// Names a module property as the checkpoint does:
/// `@Key("embed_tokens") var tokens: Embedding`, set in `init` through
/// `_tokens.wrappedValue = Embedding(...)` (or given a value where declared).
@propertyWrapper
public struct Key<Value>: KeyedProperty {
    private var stored: Value?
    public let checkpointKey: String

    public init(_ key: String) {
        self.checkpointKey = key
        self.stored = nil
    }

    public init(wrappedValue: Value, _ key: String) {
        self.checkpointKey = key
        self.stored = wrappedValue
    }

    public var wrappedValue: Value {
        get {
            guard let stored else { preconditionFailure("module property '\(checkpointKey)' read before it was set") }
            return stored
        }
        set { stored = newValue }
    }

    var anyValue: Any { stored as Any }
}

/// Optional parameters and modules (a bias that may be absent).
protocol OptionalChild { var wrapped: Any? { get } }
extension Optional: OptionalChild {
    var wrapped: Any? { self.map { $0 as Any } }
}
