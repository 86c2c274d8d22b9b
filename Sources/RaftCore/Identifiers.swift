/// A server's identity: a small integer in `0..<RaftLimits.clusterSizeMax`.
///
/// Small integers keep per-peer state in flat arrays and vote sets in one machine word,
/// which is what lets the model checker hash millions of states per second.
public typealias NodeID = Int

/// A Raft term: a logical clock that only moves forward on every node.
public typealias Term = UInt64

/// A client's name for one proposal. `0` is reserved for entries the protocol appends on
/// its own (a new leader's no-op); every client proposal carries a non-zero id, which the
/// leader uses to refuse the same request twice.
public typealias RequestID = UInt64

/// A set of node ids stored as a 64-bit mask: cheap to copy, hash and count.
public struct NodeSet: Hashable, Sendable, Sequence, CustomStringConvertible {
    /// Bit `i` is set when node `i` is in the set.
    public private(set) var bits: UInt64

    /// The empty set.
    public init() { bits = 0 }

    /// A set holding the given ids.
    public init<S: Sequence>(_ ids: S) where S.Element == NodeID {
        bits = 0
        for id in ids { insert(id) }
    }

    /// Whether `id` is in the set.
    public func contains(_ id: NodeID) -> Bool {
        precondition(id >= 0 && id < RaftLimits.clusterSizeMax, "node id \(id) out of range")
        return bits & (1 << UInt64(id)) != 0
    }

    /// Adds `id`; adding an id twice is harmless.
    public mutating func insert(_ id: NodeID) {
        precondition(id >= 0 && id < RaftLimits.clusterSizeMax, "node id \(id) out of range")
        bits |= 1 << UInt64(id)
    }

    /// The set whose mask is `bits` (ids `0..<RaftLimits.clusterSizeMax` all fit).
    public init(bits: UInt64) { self.bits = bits }

    /// Removes `id`; removing an id that is not there is harmless.
    public mutating func remove(_ id: NodeID) {
        precondition(id >= 0 && id < RaftLimits.clusterSizeMax, "node id \(id) out of range")
        bits &= ~(1 << UInt64(id))
    }

    /// Removes every id.
    public mutating func removeAll() { bits = 0 }

    /// How many ids the set holds.
    public var count: Int { bits.nonzeroBitCount }

    /// Whether the set holds no id.
    public var isEmpty: Bool { bits == 0 }

    /// The ids of the set that are also in `other`.
    public func intersection(_ other: NodeSet) -> NodeSet {
        var result = NodeSet()
        result.bits = bits & other.bits
        return result
    }

    /// The ids in this set or in `other`.
    public func union(_ other: NodeSet) -> NodeSet { NodeSet(bits: bits | other.bits) }

    /// The ids of this set that are not in `other`.
    public func subtracting(_ other: NodeSet) -> NodeSet { NodeSet(bits: bits & ~other.bits) }

    /// The ids in increasing order.
    public func makeIterator() -> AnyIterator<NodeID> {
        var remaining = bits
        return AnyIterator {
            guard remaining != 0 else { return nil }
            let id = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return id
        }
    }

    public var description: String { "{" + map(String.init).joined(separator: ",") + "}" }
}
