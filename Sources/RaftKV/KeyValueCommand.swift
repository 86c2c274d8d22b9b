/// One operation of the replicated key-value store, as a client asks it.
public enum KeyValueOperation: Hashable, Sendable, CustomStringConvertible {
    case get(key: String)
    case put(key: String, value: String)
    /// Compare-and-set: write `new` if the key holds `expected`.
    case cas(key: String, expected: String, new: String)
    case delete(key: String)

    public var key: String {
        switch self {
        case .get(let key), .put(let key, _), .cas(let key, _, _), .delete(let key): return key
        }
    }

    public var description: String {
        switch self {
        case .get(let key): return "get \(key)"
        case .put(let key, let value): return "put \(key)=\(value)"
        case .cas(let key, let expected, let new): return "cas \(key) \(expected)→\(new)"
        case .delete(let key): return "delete \(key)"
        }
    }
}

/// What the store answered.
public enum KeyValueResult: Hashable, Sendable, CustomStringConvertible {
    /// A get's value; `nil`: the key is absent.
    case value(String?)
    /// A put or delete was done, or a cas swapped.
    case ok
    /// A cas found `current` (nil: absent) instead of what it expected, and wrote nothing.
    case casFailed(current: String?)
    /// The client's session had already moved past this sequence number: the client got the
    /// answer of this request, or of a later one, before (a stale retry; nothing was done).
    case staleRequest
    /// The store does not know the client's session (it was dropped, `KeyValueLimits
    /// .sessionsMax`) and the request is not a session's first: nothing was done, since the
    /// request may have run already. The client starts a new session.
    case sessionExpired

    public var description: String {
        switch self {
        case .value(let value): return value.map { "value \($0)" } ?? "absent"
        case .ok: return "ok"
        case .casFailed(let current): return "cas failed (found \(current ?? "absent"))"
        case .staleRequest: return "stale request"
        case .sessionExpired: return "session expired"
        }
    }
}

/// A client's numbered request (Raft thesis §6.3): the store runs each (client, sequence)
/// once, and answers a retry of the latest one with the result it gave the first time.
public struct KeyValueCommand: Hashable, Sendable {
    /// The client's session id (unique per client, chosen by the client).
    public var client: UInt64
    /// The request's number in the session: 1, 2, 3, … one request at a time.
    public var sequence: UInt64
    public var operation: KeyValueOperation

    public init(client: UInt64, sequence: UInt64, operation: KeyValueOperation) {
        self.client = client
        self.sequence = sequence
        self.operation = operation
    }
}
