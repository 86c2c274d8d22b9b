/// The `type` of a trace line: what happened. Raw values are the JSON spellings.
///
/// Node events come from `node-<id>.jsonl.gz`, client events from `client.jsonl.gz`,
/// nemesis events (faults injected by chaos) from `chaos.jsonl.gz`.
public enum TraceEventType: String, CaseIterable, Hashable, Sendable {
    case start, term, role, vote, leader, propose, append, truncate, commit, deliver, persist
    case send, recv, stop
    case forward, buffered
    case proposalRejected = "proposal_rejected"
    case voteIgnoredInLease = "vote_ignored_in_lease"
    case lostQuorum = "lost_quorum"
    case invalidMessage = "invalid_message"
    case snapshot, install, transfer, member
    case invoke, ok, fail, timeout
    case nemesis

    /// Which kind of writer produces events of this type.
    public enum Source: String, Hashable, Sendable {
        /// A Raft node, about itself.
        case node
        /// The client workload, about one request.
        case client
        /// The chaos tool (or launcher), about a fault it injected.
        case nemesis
    }

    /// The writer that produces this type.
    public var source: Source {
        switch self {
        case .invoke, .ok, .fail, .timeout: return .client
        case .nemesis: return .nemesis
        default: return .node
        }
    }
}
