/// One Raft server as a pure, deterministic state machine: `step(input) -> [Output]`.
///
/// The algorithm is Kleppmann's formulation of Raft (the one raft-lite implements): vote
/// requests carry the candidate's log length and last term; log requests carry a prefix
/// length, the prefix's last term, the leader's commit index and a suffix; followers answer
/// with acknowledgements; a leader commits only entries of its own term that a majority
/// acknowledged. `ProtocolOptions` adds etcd's pre-vote and check-quorum, pipelining and a
/// no-op entry per new leader.
///
/// ## Lifecycle
/// Create a node, then give it `.restart(state)` (`.restart(.initial)` for a new one): every
/// incarnation starts with that input. After a crash, build a new `RaftNode` (or reuse the
/// value) and restart it from what was durable.
///
/// ## Ordering contract
/// `step` returns outputs in causal order. Nothing that vouches for durable state leaves a
/// node before that state is durable. A driver carries out the outputs of one step, or of a
/// batch of steps, in the stages of `OutputStage` (`options.stage(of:)` says which):
/// 1. it may send a leader's log requests (`.beforeWrite`) at once — the one allowed overlap,
///    the leader writing its new entries while it replicates them (Raft thesis §10.2.1);
/// 2. it makes every `.persist` of the batch durable (one write, one fsync: group commit),
///    then gives the node `.persisted(logLength:lastTerm:)`, whose own `.persist` outputs
///    (commit indexes) it writes too — and when those append entries (the only voter of its
///    configuration leads only from here, and appends its no-op), it makes them durable and
///    gives `.persisted` again;
/// 3. only then it sends everything else — vote requests (they vouch for the term, the vote
///    and the log length), vote grants, append responses, forwarded proposals — delivers the
///    `.deliver` outputs to the application in the order given, and tells clients of
///    rejections and commits.
/// A node takes no input of a new batch before the previous batch's write is done.
/// `.resetTimer` means "(re)arm this timer now", discarding the earlier deadline.
/// Messages may be lost, duplicated, delayed or reordered: the protocol tolerates it.
///
/// So a leader counts its own copy of an entry towards a majority only after `.persisted`
/// said it is durable, and a grant counts only for the campaign that asked for it
/// (`CampaignID`: the incarnation and the pre-vote round), never for an earlier incarnation
/// whose term or log a crash may have lost. A driver that carries out each step on its own
/// with an instant disk (the simulators, the model checker) uses `stepAsBatch(_:)`; the
/// model checker also crashes nodes between the stages (docs/MODEL.md).
///
/// ## Invariants
/// In debug builds every step checks the node's local invariants (terms never go back, the
/// commit index never goes back nor past the log, committed entries are never truncated, a
/// leader never removes entries of its own term). `RaftInvariants` checks the cluster-wide
/// ones (Election Safety, Log Matching, Leader Completeness, State Machine Safety).
public struct RaftNode: Hashable, Sendable {
    /// This node's id.
    public let id: NodeID
    /// The configuration the node starts from while neither its log nor its snapshot holds
    /// one: the founding voters, or `Configuration.empty` for a server that joins a running
    /// cluster (it neither campaigns nor counts until its leader's log says who is in).
    public let bootstrap: Configuration
    /// Protocol options and bounds.
    public let options: ProtocolOptions

    // MARK: Durable state (changed only together with a `.persist` output)

    /// Latest term this node has seen.
    public internal(set) var currentTerm: Term = 0
    /// Candidate voted for in `currentTerm`.
    public internal(set) var votedFor: NodeID? = nil
    /// The latest snapshot (`Snapshot.none` before the first); the log starts at or before it.
    public internal(set) var snapshot = Snapshot.none
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
    /// `ProtocolOptions.reforwardsOnLeaderChange`), oldest first.
    public internal(set) var unconfirmedForwards: [Proposal] = []
    /// Whether the node received `.restart` (it may not take other inputs before).
    public internal(set) var isRunning = false
    /// This incarnation's number (from the `.restart` state).
    public internal(set) var incarnation: UInt64 = 0
    /// The campaign in progress, or the last one of the current term (`CampaignID`).
    public internal(set) var campaign = CampaignID.none
    /// Entries of the log known durable (`.persisted`); a leader counts its own copy of an
    /// entry towards a majority only up to here.
    public internal(set) var durableLength = 0
    /// A leader's snapshot arriving in chunks, while it is incomplete.
    public internal(set) var incomingSnapshot: IncomingSnapshot? = nil
    /// The member this leader is handing leadership to (`Input.transferLeadership`).
    public internal(set) var transferTarget: NodeID? = nil
    /// The configuration in force: the latest in the log, committed or not, else the
    /// snapshot's, else `bootstrap` (derived from the durable state, see `Configuration`).
    public internal(set) var configuration: Configuration
    /// The log index of the entry that set `configuration` (`0`: the snapshot or the bootstrap
    /// did, as far as a restart can tell; an entry compacted since keeps its index).
    public internal(set) var configurationIndex = 0
    /// Voters and learners of `configuration`, in increasing order.
    public internal(set) var members: [NodeID]

    /// Outputs of the step in progress (always empty between steps).
    var outbox: [Output] = []
    /// Refusals of forwarded proposals made in the step in progress, sent to their origins at
    /// its end (always empty between steps).
    var pendingRejections: [PendingRejection] = []
    /// Whether the current step already reset the election timer.
    var electionTimerReset = false

    /// A stopped node with id `id` in a cluster founded by the voters `members`; give it
    /// `.restart` to begin.
    public init(id: NodeID, members: [NodeID], options: ProtocolOptions) {
        precondition(Set(members).count == members.count, "duplicate member ids in \(members)")
        precondition(members.contains(id), "node \(id) is not a member of \(members)")
        precondition(members.allSatisfy { $0 >= 0 && $0 < RaftLimits.clusterSizeMax },
                     "member ids must be in 0..<\(RaftLimits.clusterSizeMax): \(members)")
        self.init(id: id, bootstrap: Configuration(voters: members), options: options)
    }

    /// A stopped node with id `id` whose configuration, until its log or snapshot holds
    /// one, is `bootstrap` (`.empty` for a server joining a running cluster).
    public init(id: NodeID, bootstrap: Configuration, options: ProtocolOptions) {
        precondition(id >= 0 && id < RaftLimits.clusterSizeMax, "node id \(id) outside 0..<\(RaftLimits.clusterSizeMax)")
        if let problem = options.problem { preconditionFailure("\(problem)") }
        self.id = id
        self.bootstrap = bootstrap
        self.options = options
        self.configuration = bootstrap
        self.members = bootstrap.members
        self.progress = Array(repeating: FollowerProgress(sentLength: 0), count: max(id, bootstrap.members.last ?? 0) + 1)
    }

    /// Votes needed to win and acknowledgements needed to commit: a strict majority of the
    /// voters of the configuration in force.
    public var quorum: Int {
        options.mutant == .majorityOffByOne ? configuration.voters.count / 2 : configuration.quorum
    }

    /// The members other than this node: where a leader replicates.
    public var peers: [NodeID] { members.filter { $0 != id } }

    /// The voters other than this node: where a candidate asks for votes.
    public var otherVoters: [NodeID] {
        var asked = configuration.voters
        if options.mutant == .voteFromRemovedMember { asked = asked.union(configuration.learners).union(bootstrap.voters) }
        return asked.subtracting(NodeSet([id])).map { $0 }
    }

    /// What this node would need to restart right now (its durable state).
    public var persistentState: PersistentState {
        PersistentState(currentTerm: currentTerm, votedFor: votedFor, snapshot: snapshot,
                        compactedIndex: log.compactedIndex, compactedTerm: log.compactedTerm, entries: log.entries,
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
        case .persisted(let logLength, let lastTerm):
            requireRunning(input)
            handlePersisted(logLength: logLength, lastTerm: lastTerm)
        case .snapshot(let index, let data):
            requireRunning(input)
            takeSnapshot(index: index, data: data)
        case .transferLeadership(let target):
            requireRunning(input)
            startTransfer(to: target)
        case .changeMembership(let change):
            requireRunning(input)
            changeMembership(change)
        }
        if !pendingRejections.isEmpty { sendPendingRejections() }
        #if DEBUG
        if options.mutant == nil { LocalInvariants.check(before: before, after: self, input: input) }
        #endif
        let outputs = outbox
        outbox = []
        return outputs
    }

    /// Steps `input` as a batch of its own whose durable write completes at once: the outputs
    /// of `step(input)`, then, when it persisted something, those of `.persisted` for the log
    /// as it now stands — again when that step appended entries (the only voter becomes
    /// leader there, and appends its no-op). For drivers with an instant disk (simulators,
    /// the model checker).
    public mutating func stepAsBatch(_ input: Input) -> [Output] {
        var outputs = step(input)
        var learnsWrite = isRunning && outputs.contains(where: \.isPersist)
        while learnsWrite {
            let learned = step(.persisted(logLength: log.lastIndex, lastTerm: log.lastTerm))
            outputs += learned
            learnsWrite = learned.contains(where: \.isAppend)
        }
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
        currentTerm = state.currentTerm
        votedFor = options.mutant == .forgetVoteOnRestart ? nil : state.votedFor
        precondition(state.snapshot.index >= state.compactedIndex,
                     "snapshot through \(state.snapshot.index) older than the log's compaction through \(state.compactedIndex)")
        snapshot = state.snapshot
        incomingSnapshot = nil
        log = RaftLog(state.entries, compactedIndex: state.compactedIndex, compactedTerm: state.compactedTerm)
        commitIndex = min(state.commitIndex, log.lastIndex)
        var unfinished: [PersistentChange] = []
        if snapshot.index > log.compactedIndex, !(log.holdsTerm(at: snapshot.index) && log.term(at: snapshot.index) == snapshot.term) {
            // The node crashed after it wrote a leader's snapshot and before its log caught up
            // with it (the compaction and the commit come in the same write, after): finish.
            if log.lastIndex > commitIndex {
                log.truncate(toLength: commitIndex)
                unfinished.append(.truncate(length: commitIndex))
            }
            log.compact(through: snapshot.index, term: snapshot.term)
            unfinished.append(.compact(through: snapshot.index, term: snapshot.term))
        }
        if commitIndex < snapshot.index {
            commitIndex = snapshot.index // a snapshot holds committed entries only
            unfinished.append(.commit(index: commitIndex))
        }
        role = .follower
        leaderID = nil
        configuration = bootstrap
        members = bootstrap.members
        let (found, foundIndex) = configuration(at: log.lastIndex)
        adopt(found, index: foundIndex, traced: false) // traced below, after `started`
        votesReceived.removeAll()
        for index in progress.indices { progress[index] = FollowerProgress(sentLength: 0) }
        recentlyActive.removeAll()
        bufferedProposals = []
        unconfirmedForwards = []
        transferTarget = nil
        isRunning = true
        incarnation = state.incarnation
        campaign = CampaignID(incarnation: incarnation, round: 0)
        durableLength = log.lastIndex
        trace(.started(lastIndex: log.lastIndex, commitIndex: commitIndex, votedFor: votedFor))
        trace(.configurationChanged(index: configurationIndex, configuration: configuration))
        for change in unfinished { emit(.persist(change)) }
        resetElectionTimer()
        // raft-lite arms both timers at start; with re-armed timers the heartbeat timer is
        // armed when the node becomes leader (on a follower it would fire once, doing nothing).
        if !options.rearmTimers { emit(.resetTimer(.heartbeat)) }
        var applied = min(state.appliedIndex ?? commitIndex, commitIndex)
        if applied < snapshot.index {
            // The application's state is older than the snapshot: it starts from the snapshot.
            emit(.restore(snapshot))
            applied = snapshot.index
        }
        if applied < commitIndex {
            for index in (applied + 1)...commitIndex { deliver(index) }
        }
    }

    /// The driver made the log durable up to `logLength` (ending in `lastTerm`).
    private mutating func handlePersisted(logLength: Int, lastTerm: Term) {
        if role == .candidate && votesCounted >= quorum { becomeLeader() } // it won alone (`startElection`)
        guard logLength > durableLength, log.holdsTerm(at: logLength), log.term(at: logLength) == lastTerm else { return }
        durableLength = logLength
        advanceLeaderCommit()
    }

    mutating func deliver(_ index: Int) {
        let entry = log[index]
        emit(.deliver(index: index, entry: entry))
        trace(.delivered(index: index, entry: entry))
    }
}

/// A refusal of a forwarded proposal waiting for the end of the step, and where it goes.
struct PendingRejection: Hashable, Sendable {
    var origin: NodeID
    var rejection: ForwardRejected.Rejection
}
