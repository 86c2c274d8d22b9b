/// An operation of the replicated key-value store (`raftlab kv`).
public enum KeyValueInput: Hashable, Sendable, CustomStringConvertible {
    case get(key: String)
    case put(key: String, value: String)
    /// Compare-and-set: write `to` if the key holds `from`.
    case cas(key: String, from: String, to: String)
    case delete(key: String)

    public var key: String {
        switch self {
        case .get(let key), .put(let key, _), .cas(let key, _, _), .delete(let key): return key
        }
    }

    public var description: String {
        switch self {
        case .get(let key): return "get \(key)"
        case .put(let key, let value): return "put \(key) \(value)"
        case .cas(let key, let from, let to): return "cas \(key) \(from)→\(to)"
        case .delete(let key): return "delete \(key)"
        }
    }
}

/// What a key-value operation returned.
public enum KeyValueOutput: Hashable, Sendable, CustomStringConvertible {
    /// A get's answer; `nil`: the key was absent.
    case value(String?)
    /// A put or delete was done, or a cas swapped.
    case ok
    /// A cas found another value and wrote nothing.
    case casFailed

    public var description: String {
        switch self {
        case .value(let value): return value.map { "\"\($0)\"" } ?? "absent"
        case .ok: return "ok"
        case .casFailed: return "cas failed"
        }
    }
}

/// One key as a register, the sequential specification of the store per key (the store is
/// checked key by key: linearizability is compositional, Herlihy & Wing's locality).
public struct KeyValueRegister: SequentialSpecification {
    /// The key's value (`nil`: absent), or `unknown` at the start of a window whose earlier
    /// history was left out (the first operation that reveals the value fixes it).
    public enum State: Hashable, Sendable {
        case unknown
        case known(String?)
    }

    public init() {}

    public func step(_ state: State, _ input: KeyValueInput, _ output: KeyValueOutput?) -> State? {
        switch input {
        case .get:
            guard let output else { return state } // an unknown read changes nothing
            guard case .value(let seen) = output else { return nil }
            switch state {
            case .unknown: return .known(seen)
            case .known(let value): return value == seen ? state : nil
            }
        case .put(_, let value):
            return output == nil || output == .ok ? .known(value) : nil
        case .delete:
            return output == nil || output == .ok ? .known(nil) : nil
        case .cas(_, let from, let to):
            switch (state, output) {
            case (.known(let value), nil): return value == from ? .known(to) : state
            case (.known(let value), .ok?): return value == from ? .known(to) : nil
            case (.known(let value), .casFailed?): return value == from ? nil : state
            case (.unknown, nil), (.unknown, .casFailed?):
                return .unknown // over-approximates (some value other than `from`): permissive, so sound for windows
            case (.unknown, .ok?): return .known(to)
            case (_, .value?): return nil
            }
        }
    }
}
