/// Why a node dropped a message: something no correct peer sends, or that would break one of
/// the node's own invariants if it were trusted. The node drops the message, says so with
/// `Output.dropMessage` (drivers count and log it) and a `TraceEvent.messageDropped`, and
/// goes on: a node never stops because of what a peer sent.
///
/// Raft does not tolerate Byzantine peers; these checks are not a defence against a peer that
/// lies consistently. They keep a corrupt, buggy or hostile frame from reaching a
/// precondition of the core. In a cluster of correct nodes none of them ever fires: the
/// simulators and the model checker treat any drop as a bug (`RaftInvariants.messagesValid`).
public enum InvalidMessage: String, Hashable, Sendable, CaseIterable {
    /// Addressed to another node.
    case wrongReceiver = "wrong_receiver"
    /// Sent by this node itself, or by an id outside `0..<RaftLimits.clusterSizeMax`.
    case unknownSender = "unknown_sender"
    /// A term beyond `RaftLimits.termMax` (a term no cluster reaches; past it `+ 1` would overflow).
    case termTooLarge = "term_too_large"
    /// A negative length, index, hint or hop count.
    case negativeNumber = "negative_number"
    /// A vote request whose last log term is beyond its term, or whose log length and last
    /// term contradict each other (an empty log has last term 0, a non-empty one does not).
    case inconsistentVoteRequest = "inconsistent_vote_request"
    /// A log request whose prefix term is beyond its term, or whose empty prefix has a term.
    case prefixTermBeyondTerm = "prefix_term_beyond_term"
    /// A log request carrying an entry of term 0, or of a term beyond the request's term.
    case entryTermBeyondTerm = "entry_term_beyond_term"
    /// A log request whose entry terms go down (within the suffix, or below the prefix term).
    case entryTermsDecrease = "entry_terms_decrease"
    /// A log request carrying more entries than `RaftLimits.entriesPerMessageMax`.
    case tooManyEntries = "too_many_entries"
    /// A log request of this node's own term while it leads (two leaders of one term).
    case secondLeader = "second_leader"
    /// A log request that would remove entries this node knows are committed.
    case truncatesCommitted = "truncates_committed"
    /// An append refusal naming a conflict term beyond its own term.
    case hintTermBeyondTerm = "hint_term_beyond_term"
    /// An append response acknowledging entries beyond the leader's log.
    case ackBeyondLog = "ack_beyond_log"
    /// Forwarded proposals that claim more hops than `RaftLimits.forwardHopsMax`, name an
    /// origin outside the id range, or come (or are refused) too many to one message.
    case invalidForward = "invalid_forward"
    /// A snapshot chunk with an index or term below 1, a term beyond its message's, bytes
    /// outside the snapshot it claims, or a snapshot larger than `RaftLimits.snapshotBytesMax`.
    case invalidSnapshotChunk = "invalid_snapshot_chunk"
    /// A snapshot chunk whose last entry contradicts an entry this node knows is committed.
    case snapshotConflictsCommitted = "snapshot_conflicts_committed"
    /// A log request carrying a protocol entry (request id 0) that is neither a no-op nor a
    /// configuration, or a snapshot chunk whose configuration has no voter.
    case malformedConfiguration = "malformed_configuration"
}
