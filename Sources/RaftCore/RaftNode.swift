/// One Raft server as a pure, deterministic state machine: `step(input) -> [Output]`.
///
/// The algorithm is Kleppmann's formulation of Raft (the one raft-lite implements): vote
/// requests carry the candidate's log length and last term; log requests carry a prefix
/// length, the prefix's last term, the leader's commit index and a suffix; followers answer
/// with acknowledgements; a leader commits only entries of its own term that a majority
/// acknowledged. `RaftOptions` adds etcd's pre-vote and check-quorum, pipelining and a
/// no-op entry per new leader.
///
/// ## Lifecycle
/// Create a node, then give it `.restart(state)` (`.restart(.initial)` for a new one): every
/// incarnation starts with that input. After a crash, build a new `RaftNode` (or reuse the
/// value) and restart it from what was durable.
///
/// ## Ordering contract
/// `step` returns outputs in causal order. A driver must:
/// 1. make every `.persist` durable before it performs any `.send` or `.deliver` that comes
///    after it (in the same call or a later one). In particular: term and vote are durable
///    before a vote response leaves; entries are durable before an append acknowledgement
///    leaves; the commit index is durable before the entries up to it are delivered, so a
///    restarted node neither delivers an entry twice nor skips one. A driver may batch
///    several steps and cover all their `.persist` outputs with one fsync (group commit)
///    as long as it sends and delivers only after that fsync;
/// 2. deliver `.deliver` outputs to the application in the order given;
/// 3. treat `.resetTimer` as "(re)arm this timer now", discarding the earlier deadline.
/// Messages may be sent in any order, lost, duplicated or delayed: the protocol tolerates it.
///
/// One relaxation is allowed (etcd's): *requests* (`logRequest`, `voteRequest`, `forward`) may
/// leave before the durable changes that precede them, provided the node takes no further
/// input until those changes are durable. Their answers can then only be processed after the
/// requester's own state is on disk, so a leader still counts itself towards a majority only
/// for entries it holds durably, and a candidate wins only once its vote for itself is durable.
/// *Responses* (`logResponse`, `voteResponse`) never leave before what precedes them.
///
/// ## Invariants
/// In debug builds every step checks the node's local invariants (terms never go back, the
/// commit index never goes back nor past the log, committed entries are never truncated, a
/// leader never removes entries of its own term). `RaftInvariants` checks the cluster-wide
/// ones (Election Safety, Log Matching, Leader Completeness, State Machine Safety).
public struct RaftNode: Hashable, Sendable {
    /// This node's id.
    public let id: NodeID
    /// Every member of the cluster including this node, in increasing order.
    public let members: [NodeID]
    /// Protocol options and bounds.
    public let options: RaftOptions

    // MARK: Durable state (changed only together with a `.persist` output)

    /// Latest term this node has seen.
    public internal(set) var currentTerm: Term = 0
    /// Candidate voted for in `currentTerm`.
    public internal(set) var votedFor: NodeID? = nil
    /// The log.
    public internal(set) var log = RaftLog()
    /// Number of entries known committed (and delivered in this incarnation or an earlier one).
    public internal(set) var commitIndex: Int = 0

    // MARK: Volatile state

    /// Current role.
    public internal(set) var role: Role = .follower
    /// The leader of `currentTerm`, when known.
    public internal(set) var leaderID: NodeID? = nil
    /// Votes (or pre-votes) received in the current campaign, including this node's own.
    public internal(set) var votesReceived = NodeSet()
    /// Per-follower replication state, indexed by node id (meaningful while leading).
    public internal(set) var progress: [FollowerProgress]
    /// Followers heard from since the leader's last check-quorum.
    public internal(set) var recentlyActive = NodeSet()
    /// Proposals waiting for a leader to be known.
    public internal(set) var bufferedProposals: [Proposal] = []
    /// Proposals forwarded to a leader and not yet seen in this node's log (with
    /// `RaftOptions.reforwardsOnLeaderChange`), oldest first.
    public internal(set) var unconfirmedForwards: [Proposal] = []
    /// Whether the node received `.restart` (it may not take other inputs before).
    public internal(set) var isRunning = false

    /// Outputs of the step in progress (always empty between steps).
    var outbox: [Output] = []
    /// Whether the current step already reset the election timer.
    var electionTimerReset = false

    /// A stopped node with id `id` in a cluster of `members`; give it `.restart` to begin.
    public init(id: NodeID, members: [NodeID], options: RaftOptions) {
        let sortedMembers = Array(Set(members)).sorted()
        precondition(sortedMembers.count == members.count, "duplicate member ids in \(members)")
        precondition(sortedMembers.contains(id), "node \(id) is not a member of \(members)")
        precondition(sortedMembers.allSatisfy { $0 >= 0 && $0 < RaftLimits.clusterSizeMax },
                     "member ids must be in 0..<\(RaftLimits.clusterSizeMax): \(members)")
        self.id = id
        self.members = sortedMembers
        self.options = options
        self.progress = Array(repeating: FollowerProgress(sentLength: 0), count: sortedMembers.last! + 1)
    }

    /// Votes needed to win and acknowledgements needed to commit: a strict majority.
    public var quorum: Int { options.mutant == .majorityOffByOne ? members.count / 2 : members.count / 2 + 1 }

    /// The members other than this node.
    public var peers: [NodeID] { members.filter { $0 != id } }

    /// What this node would need to restart right now (its durable state).
    public var persistentState: PersistentState {
        PersistentState(currentTerm: currentTerm, votedFor: votedFor, entries: log.entries,
                        commitIndex: commitIndex)
    }

    /// Feeds one input to the node and returns the effects to carry out, in order
    /// (see the ordering contract above).
    public mutating func step(_ input: Input) -> [Output] {
        #if DEBUG
        let before = LocalInvariants.Snapshot(self)
        #endif
        electionTimerReset = false
        switch input {
        case .restart(let state):
            restart(from: state)
        case .electionTimeout:
            requireRunning(input)
            handleElectionTimeout()
        case .heartbeatTimeout:
            requireRunning(input)
            handleHeartbeatTimeout()
        case .receive(let message):
            requireRunning(input)
            receive(message)
        case .propose(let proposals):
            requireRunning(input)
            propose(proposals, hops: 0)
        }
        #if DEBUG
        if options.mutant == nil { LocalInvariants.check(before: before, after: self, input: input) }
        #endif
        let outputs = outbox
        outbox = []
        return outputs
    }

    private func requireRunning(_ input: Input) {
        precondition(isRunning, "node \(id) got \(input) before .restart: every incarnation begins with .restart")
    }

    // MARK: Output helpers

    mutating func emit(_ output: Output) { outbox.append(output) }

    mutating func sendMessage(_ body: Message.Body, to peer: NodeID, term: Term? = nil) {
        outbox.append(.send(Message(from: id, to: peer, term: term ?? currentTerm, body: body)))
    }

    mutating func trace(_ event: TraceEvent) {
        if options.emitsTraceEvents { outbox.append(.trace(event)) }
    }

    mutating func resetElectionTimer() {
        guard !electionTimerReset else { return }
        electionTimerReset = true
        outbox.append(.resetTimer(.election))
    }

    // MARK: Lifecycle

    private mutating func restart(from state: PersistentState) {
        precondition(state.votedFor.map(members.contains) ?? true, "persisted vote for a non-member: \(state)")
        currentTerm = state.currentTerm
        votedFor = options.mutant == .forgetVoteOnRestart ? nil : state.votedFor
        log = RaftLog(state.entries)
        commitIndex = min(state.commitIndex, log.lastIndex)
        role = .follower
        leaderID = nil
        votesReceived.removeAll()
        for member in members { progress[member] = FollowerProgress(sentLength: 0) }
        recentlyActive.removeAll()
        bufferedProposals = []
        unconfirmedForwards = []
        isRunning = true
        trace(.started(lastIndex: log.lastIndex, commitIndex: commitIndex, votedFor: votedFor))
        resetElectionTimer()
        emit(.resetTimer(.heartbeat))
        let applied = min(state.appliedIndex ?? commitIndex, commitIndex)
        if applied < commitIndex {
            for index in (applied + 1)...commitIndex { deliver(index) }
        }
    }

    mutating func deliver(_ index: Int) {
        let entry = log[index]
        emit(.deliver(index: index, entry: entry))
        trace(.delivered(index: index, entry: entry))
    }
}
