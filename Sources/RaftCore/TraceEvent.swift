/// What a node reports for its trace. The runtime turns each into one JSON line
/// (docs/TRACE_FORMAT.md); the model checker and tests read them directly.
public enum TraceEvent: Hashable, Sendable {
    /// An incarnation began from durable state.
    case started(lastIndex: Int, commitIndex: Int, votedFor: NodeID?)
    /// The current term moved forward from `from` (the new term is the node's current term).
    case termChanged(from: Term)
    /// The role changed.
    case roleChanged(from: Role, to: Role)
    /// A vote (or pre-vote) request from `candidate` was answered.
    case voted(candidate: NodeID, granted: Bool, preVote: Bool)
    /// A vote request was ignored: this node heard from a live leader within an election
    /// timeout (check-quorum's leader lease).
    case voteIgnoredInLease(candidate: NodeID)
    /// This node won the election of its current term.
    case becameLeader(lastIndex: Int, lastTerm: Term)
    /// The leader accepted a client request at `index`.
    case proposed(request: RequestID, index: Int)
    /// Proposals went to the node believed to lead.
    case forwarded(count: Int, to: NodeID)
    /// Proposals wait at this node until a leader is known.
    case buffered(count: Int)
    /// A proposal was refused.
    case proposalRejected(request: RequestID, reason: ProposalRejection)
    /// Entries were written to the local log starting at `firstIndex`.
    case appended(firstIndex: Int, entries: [Entry])
    /// The local log was cut to `length` entries (a follower dropping a conflicting suffix).
    case truncated(length: Int)
    /// The commit index advanced to `index`.
    case committed(index: Int)
    /// The entry at `index` was delivered to the application.
    case delivered(index: Int, entry: Entry)
    /// A message from `from` was dropped as invalid.
    case messageDropped(from: NodeID, reason: InvalidMessage)
    /// A leader stepped down: it heard from fewer than a majority within an election timeout.
    case lostQuorum(heardFrom: Int)
    /// The application's snapshot through `index` (of term `term`, `bytes` long) became the
    /// node's; the log now starts after `compactedThrough`.
    case snapshotTaken(index: Int, term: Term, bytes: Int, compactedThrough: Int)
    /// The leader's snapshot through `index` was installed: every entry through it is
    /// committed here and the application restarts from it.
    case snapshotInstalled(index: Int, term: Term, bytes: Int)
    /// This leader began handing leadership to `target`.
    case transferStarted(target: NodeID)
    /// This leader gave up handing leadership to `target` (an election timeout passed).
    case transferAborted(target: NodeID)
    /// The configuration in force became `configuration`, set by the log entry at `index`
    /// (`0`: by the snapshot or the bootstrap). Also traced right after `started`.
    case configurationChanged(index: Int, configuration: Configuration)
}
