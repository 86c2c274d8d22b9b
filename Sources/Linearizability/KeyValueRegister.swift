import RaftKV

/// One key as a register, the sequential specification of the store per key (the store is
/// checked key by key: linearizability is compositional, Herlihy & Wing's locality).
public struct KeyValueRegister: SequentialSpecification {
    public typealias Input = KeyValueOperation
    public typealias Output = KeyValueResult

    /// The key's value (`nil`: absent), or `unknown` at the start of a window whose earlier
    /// history was left out (the first operation that reveals the value fixes it).
    public enum State: Hashable, Sendable {
        case unknown
        case known(String?)
    }

    public init() {}

    public func step(_ state: State, _ input: KeyValueOperation, _ output: KeyValueResult?) -> State? {
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
        case .cas(_, let expected, let new):
            switch (state, output) {
            case (.known(let value), nil): return value == expected ? .known(new) : state
            case (.known(let value), .ok?): return value == expected ? .known(new) : nil
            case (.known(let value), .casFailed(let current)?): return value != expected && value == current ? state : nil
            case (.unknown, nil):
                return .unknown // the value was `expected` (now `new`) or not: permissive, so sound for windows
            case (.unknown, .ok?): return .known(new)
            case (.unknown, .casFailed(let current)?): return current == expected ? nil : .known(current)
            case (_, .value?), (_, .staleRequest?), (_, .sessionExpired?): return nil
            }
        }
    }
}
