/// What a node is doing in its current term.
public enum Role: String, Hashable, Sendable, CaseIterable {
    /// Follows the leader it knows of (or waits for one).
    case follower
    /// Asks for pre-votes without changing term (only with `ProtocolOptions.preVote`).
    case preCandidate = "precandidate"
    /// Asks for votes in a term it started.
    case candidate
    /// Replicates its log; at most one per term.
    case leader
}
