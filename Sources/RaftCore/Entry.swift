/// One log entry: the term of the leader that created it and the client's bytes.
public struct Entry: Hashable, Sendable {
    /// Term in which a leader appended this entry.
    public var term: Term
    /// The client's id for this request (`0` for the protocol's own entries: a leader's
    /// no-op, or a configuration change).
    public var request: RequestID
    /// The application's bytes, delivered unchanged in log order.
    public var payload: [UInt8]

    /// An entry of `term` carrying one client request.
    public init(term: Term, request: RequestID, payload: [UInt8]) {
        self.term = term
        self.request = request
        self.payload = payload
    }

    /// A new leader's empty entry: committing it commits everything before it.
    public static func noOp(term: Term) -> Entry {
        Entry(term: term, request: 0, payload: [])
    }

    /// Whether the protocol appended this entry by itself, a no-op or a configuration
    /// (`Entry.configuration`): it is delivered in log order like every entry, and the
    /// application skips it.
    public var isProtocolEntry: Bool { request == 0 }

    /// 64-bit FNV-1a hash of the payload: equal payloads give equal digests on every node
    /// and every run, so traces can compare what two nodes delivered at one index.
    public var digest: UInt64 { PayloadDigest.fnv1a(payload) }
}

/// A client's request as it enters the protocol: an id and bytes.
public struct Proposal: Hashable, Sendable {
    /// Non-zero id chosen by the client; the leader refuses an id already in its log.
    public var request: RequestID
    /// The bytes to replicate.
    public var payload: [UInt8]
    /// The node whose client proposed it, where a refusal goes (`nil`: the node that holds
    /// it; a node sets itself before it forwards one).
    public var origin: NodeID?

    /// A proposal of `payload` named `request`, from `origin` (`nil`: this node's client).
    public init(request: RequestID, payload: [UInt8], origin: NodeID? = nil) {
        self.request = request
        self.payload = payload
        self.origin = origin
    }
}

/// The payload hash shared by the core, the trace writer and the analyzer.
public enum PayloadDigest {
    /// 64-bit FNV-1a of `bytes` (stable across processes, unlike `Hasher`).
    public static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The digest as the 16-digit lower-case hex string used in traces.
    public static func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
