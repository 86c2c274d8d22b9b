/// The part of a node's state the safety invariants look at.
///
/// `RaftNode` conforms; so can a model checker's state or an analyzer's reconstruction of a
/// node from its trace (which knows entry terms and payload digests, not payloads).
public protocol RaftStateView {
    /// The node's id.
    var nodeID: NodeID { get }
    /// Its current term.
    var currentTerm: Term { get }
    /// Whether it is leader of `currentTerm`.
    var isLeader: Bool { get }
    /// Number of entries in its log.
    var lastIndex: Int { get }
    /// Number of entries it knows committed.
    var commitIndex: Int { get }
    /// The last index dropped from its log into a snapshot (`0`: none; the default): entries
    /// through it are committed and no longer comparable entry by entry.
    var compactedIndex: Int { get }
    /// Term of the entry at `index` (`compactedIndex + 1 ... lastIndex`).
    func entryTerm(at index: Int) -> Term
    /// Payload digest of the entry at `index` (`compactedIndex + 1 ... lastIndex`), see `Entry.digest`.
    func entryDigest(at index: Int) -> UInt64
    /// Whether the entries at `index` of `self` and `other` have the same term and payload
    /// (by default: same term and digest).
    func sameEntry(at index: Int, as other: Self) -> Bool
}

extension RaftNode: RaftStateView {
    public var nodeID: NodeID { id }
    public var isLeader: Bool { role == .leader }
    public var lastIndex: Int { log.lastIndex }
    public var compactedIndex: Int { log.compactedIndex }
    public func entryTerm(at index: Int) -> Term { log.term(at: index) }
    public func entryDigest(at index: Int) -> UInt64 { log[index].digest }
    /// Compares the entries themselves (no hashing).
    public func sameEntry(at index: Int, as other: RaftNode) -> Bool { log[index] == other.log[index] }
}

extension RaftStateView {
    public var compactedIndex: Int { 0 }

    public func sameEntry(at index: Int, as other: Self) -> Bool {
        entryTerm(at: index) == other.entryTerm(at: index) && entryDigest(at: index) == other.entryDigest(at: index)
    }
}
