/// What one trace line says beyond the common fields: the event and its own fields.
///
/// Each case documents its JSON `type` and fields (docs/TRACE_FORMAT.md has examples).
/// Indexes are 1-based log positions; terms and request ids are unsigned 64-bit;
/// digests are 64-bit payload hashes written as 16 hex digits.
public enum TraceBody: Hashable, Sendable {
    // MARK: Node events (node-<id>.jsonl.gz)

    /// `start`: an incarnation began from durable state. `log_len`, `commit`, `vote` (null or id).
    case start(logLength: Int, commitIndex: Int, votedFor: Int?)
    /// `term`: the current term moved forward; `from` is the previous term (the line's `term`
    /// is the new one).
    case term(from: UInt64)
    /// `role`: the role changed to `role`; `prev` (optional) is the role before.
    case role(TraceRole, previous: TraceRole?)
    /// `vote`: a vote request from `candidate` was answered (`granted`); `pre` (optional,
    /// default false) marks a pre-vote, which promises nothing.
    case vote(candidate: Int, granted: Bool, preVote: Bool)
    /// `leader`: this node became leader of the line's term; `last_index`, `last_term` of its log.
    case leader(lastIndex: Int, lastTerm: UInt64)
    /// `propose`: the leader accepted client request `req` at log `index` (schema 1.0; raftlab
    /// now folds its proposals into the `append` below, and still reads this form).
    case propose(request: UInt64, index: Int)
    /// `append`: entries written to the local log at `index`, `index + 1`, ...; `count`,
    /// `entry_terms` and `digests` (one per entry, equal lengths). `reqs` (optional, one per
    /// entry, `0` for an entry no client asked for) says the leader proposed these entries
    /// for those client requests: each non-zero id is a proposal at its index, as a
    /// `propose` line would say.
    case append(index: Int, entryTerms: [UInt64], digests: [UInt64], requests: [UInt64]? = nil)
    /// `truncate`: the local log was cut to its first `len` entries.
    case truncate(length: Int)
    /// `commit`: the commit index advanced to `index`.
    case commit(index: Int)
    /// `deliver`: the entry at `index` (`entry_term`, `digest`, client request `req`, `0`
    /// for a leader's no-op) was handed to the application.
    case deliver(index: Int, entryTerm: UInt64, digest: UInt64, request: UInt64)
    /// `deliver` of a run of entries: `index`, `index + 1`, ... were handed to the application
    /// in order; `count`, `entry_terms`, `digests` and `reqs` (one per entry, equal lengths,
    /// at least one) say what `deliver` lines of one entry each would. `forEachDelivery`
    /// reads both forms alike.
    case deliverRun(index: Int, entryTerms: [UInt64], digests: [UInt64], requests: [UInt64])
    /// `persist`: an fsync finished; the log is durable up to `index`; it took `us` microseconds.
    case persist(index: Int, durationUs: Int)
    /// `send`: message `mid` of kind `msg` left for node `to` (verbose level).
    case send(to: Int, message: TraceMessageKind, messageID: UInt64)
    /// `recv`: message `mid` of kind `msg` arrived from node `from` (verbose level).
    case recv(from: Int, message: TraceMessageKind, messageID: UInt64)
    /// `stop`: clean shutdown; the last line of an incarnation that ended well.
    case stop
    /// `forward`: `count` proposals went to node `to`, believed to lead.
    case forward(count: Int, to: Int)
    /// `buffered`: `count` proposals wait here until a leader is known.
    case buffered(count: Int)
    /// `proposal_rejected`: request `req` was refused for `reason` (e.g. `duplicate`,
    /// `too_many_uncommitted`); `index` when the reason names one.
    case proposalRejected(request: UInt64, reason: String, index: Int?)
    /// `vote_ignored_in_lease`: a vote request from `candidate` was ignored (leader lease).
    case voteIgnoredInLease(candidate: Int)
    /// `lost_quorum`: a leader stepped down after hearing from only `heard_from` nodes.
    case lostQuorum(heardFrom: Int)
    /// `invalid_message`: a message from node `from` was dropped as invalid for `reason`
    /// (e.g. `ack_beyond_log`): no correct peer sends it.
    case invalidMessage(from: Int, reason: String)
    /// `snapshot`: the application's snapshot through `index` (whose entry has term
    /// `entry_term`), `bytes` long, became the node's; its log now starts after `compacted`.
    case snapshot(index: Int, entryTerm: UInt64, bytes: Int, compacted: Int)
    /// `install`: the node installed its leader's snapshot through `index` (entry term
    /// `entry_term`, `bytes` long): every entry through `index` is committed here, and the
    /// application restarts from the snapshot instead of getting them delivered.
    case install(index: Int, entryTerm: UInt64, bytes: Int)
    /// `transfer`: this leader began handing leadership to node `to` (`aborted: false`), or
    /// gave up (`aborted: true`: an election timeout passed before `to` took over).
    case transfer(to: Int, aborted: Bool)
    /// `member`: the node's configuration in force became `voters` and `learners`, set by
    /// its log entry at `index` (`0`: by its snapshot, or the cluster it was started with).
    /// Written after every `start` too.
    case member(index: Int, voters: [Int], learners: [Int])

    // MARK: Client events (client.jsonl.gz); the line's `node` is the node the client talked to

    /// `invoke`: client `client` sent request `req`.
    case invoke(client: Int, request: UInt64)
    /// `ok`: request `req` was acknowledged committed, at `index` when known.
    case ok(client: Int, request: UInt64, index: Int?)
    /// `fail`: request `req` was refused for sure (it will not commit); `reason` when known.
    case fail(client: Int, request: UInt64, reason: String?)
    /// `timeout`: the client stopped waiting for `req`; it may or may not commit.
    case timeout(client: Int, request: UInt64)

    // MARK: Lab events (chaos.jsonl.gz)

    /// `nemesis`: the lab injected or removed a fault: `action` on nodes `targets`, with a
    /// free-form `detail` (e.g. the partition's sides).
    case nemesis(action: NemesisAction, targets: [Int], detail: String?)

    /// The JSON `type` of this body.
    public var type: TraceEventType {
        switch self {
        case .start: return .start
        case .term: return .term
        case .role: return .role
        case .vote: return .vote
        case .leader: return .leader
        case .propose: return .propose
        case .append: return .append
        case .truncate: return .truncate
        case .commit: return .commit
        case .deliver, .deliverRun: return .deliver
        case .persist: return .persist
        case .send: return .send
        case .recv: return .recv
        case .stop: return .stop
        case .forward: return .forward
        case .buffered: return .buffered
        case .proposalRejected: return .proposalRejected
        case .voteIgnoredInLease: return .voteIgnoredInLease
        case .lostQuorum: return .lostQuorum
        case .invalidMessage: return .invalidMessage
        case .snapshot: return .snapshot
        case .install: return .install
        case .transfer: return .transfer
        case .member: return .member
        case .invoke: return .invoke
        case .ok: return .ok
        case .fail: return .fail
        case .timeout: return .timeout
        case .nemesis: return .nemesis
        }
    }
}
