/// How a node behaves: protocol extensions on or off, and the bounds it enforces.
///
/// Two profiles cover the common cases: `.lite` behaves like raft-lite (Kleppmann's
/// algorithm, one-shot timers, no extensions) so the model checker can be compared with
/// raft-lite's stateright model; `.standard` is what the runtime runs.
public struct ProtocolOptions: Hashable, Sendable {
    /// etcd's pre-vote: a node asks whether it could win before it raises its term, so a
    /// node returning from a partition does not force the cluster into a new election.
    public var preVote: Bool
    /// etcd's check-quorum: a leader that heard from fewer than a majority within an
    /// election timeout steps down, and a follower that heard from a leader within one
    /// ignores vote requests (the leader lease).
    public var checkQuorum: Bool
    /// Re-arm timers the way production Raft does (election timer after every firing and on
    /// every vote granted; heartbeat timer while leading). Off, timers follow raft-lite: the
    /// heartbeat timer fires once, the election timer is re-armed only on hearing of a higher
    /// term or from the current leader.
    public var rearmTimers: Bool
    /// Send new entries to a follower before the previous ones are acknowledged (etcd's
    /// "replicate" state), bounded by `entriesInFlightMax`. Off, every log request carries
    /// everything past the follower's acknowledged length, as in raft-lite.
    public var pipelining: Bool
    /// A new leader appends an empty entry so entries of earlier terms commit without waiting
    /// for a client.
    public var appendNoOpOnElection: Bool
    /// A follower remembers the proposals it forwarded until they show up in its log, and
    /// forwards them again to the next leader it learns of (or appends them if it wins):
    /// proposals sent to a leader that died in the meantime are not lost. The leader's
    /// request-id check makes a second copy harmless. The origin being the one that forwards
    /// again, a node that does not lead drops a forward it receives rather than passing it
    /// on (a copy that waited in a queue could outlive the leader's memory of the first).
    public var reforwardsOnLeaderChange: Bool
    /// Emit `.trace` outputs.
    public var emitsTraceEvents: Bool
    /// A deliberate bug to switch on (tests and the model checker only).
    public var mutant: Mutant?

    /// Entries in one log request.
    public var entriesPerAppendMax: Int
    /// Payload bytes in one log request.
    public var appendPayloadBytesMax: Int
    /// Bytes of one proposal's payload.
    public var proposalPayloadBytesMax: Int
    /// Proposals held while no leader is known.
    public var bufferedProposalsMax: Int
    /// Unacknowledged entries in flight to one follower (with `pipelining`).
    public var entriesInFlightMax: Int
    /// Uncommitted entries a leader accepts before refusing proposals.
    public var uncommittedEntriesMax: Int
    /// Entries kept in the log behind a new snapshot (etcd's `SnapshotCatchUpEntries`): a
    /// follower a little behind still catches up entry by entry, and a client's retry of a
    /// recent request is still recognised as a duplicate.
    public var entriesKeptAfterSnapshot: Int
    /// Bytes of a snapshot sent in one message.
    public var snapshotChunkBytesMax: Int

    /// Options as given; `problem` says whether they can work (a node refuses to start
    /// with options that cannot).
    public init(preVote: Bool, checkQuorum: Bool, rearmTimers: Bool, pipelining: Bool,
                appendNoOpOnElection: Bool, reforwardsOnLeaderChange: Bool = false, emitsTraceEvents: Bool = true,
                entriesPerAppendMax: Int = RaftLimits.entriesPerAppendMax,
                appendPayloadBytesMax: Int = RaftLimits.appendPayloadBytesMax,
                proposalPayloadBytesMax: Int = RaftLimits.proposalPayloadBytesMax,
                bufferedProposalsMax: Int = RaftLimits.bufferedProposalsMax,
                entriesInFlightMax: Int = RaftLimits.entriesInFlightMax,
                uncommittedEntriesMax: Int = RaftLimits.uncommittedEntriesMax,
                entriesKeptAfterSnapshot: Int = RaftLimits.entriesKeptAfterSnapshot,
                snapshotChunkBytesMax: Int = RaftLimits.snapshotChunkBytesMax,
                mutant: Mutant? = nil) {
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.rearmTimers = rearmTimers
        self.pipelining = pipelining
        self.appendNoOpOnElection = appendNoOpOnElection
        self.reforwardsOnLeaderChange = reforwardsOnLeaderChange
        self.emitsTraceEvents = emitsTraceEvents
        self.entriesPerAppendMax = entriesPerAppendMax
        self.appendPayloadBytesMax = appendPayloadBytesMax
        self.proposalPayloadBytesMax = proposalPayloadBytesMax
        self.bufferedProposalsMax = bufferedProposalsMax
        self.entriesInFlightMax = entriesInFlightMax
        self.uncommittedEntriesMax = uncommittedEntriesMax
        self.entriesKeptAfterSnapshot = entriesKeptAfterSnapshot
        self.snapshotChunkBytesMax = snapshotChunkBytesMax
        self.mutant = mutant
    }

    /// raft-lite's behaviour: no pre-vote, no check-quorum, raft-lite's timers, no pipelining,
    /// no no-op entry, no re-forwarding.
    public static let lite = ProtocolOptions(preVote: false, checkQuorum: false, rearmTimers: false,
                                         pipelining: false, appendNoOpOnElection: false)

    /// What the runtime runs: pre-vote, check-quorum, re-armed timers, pipelining, no-op entry,
    /// re-forwarding.
    public static let standard = ProtocolOptions(preVote: true, checkQuorum: true, rearmTimers: true,
                                             pipelining: true, appendNoOpOnElection: true, reforwardsOnLeaderChange: true)

    /// These options with `mutant` switched on.
    public func with(mutant: Mutant?) -> ProtocolOptions {
        var copy = self
        copy.mutant = mutant
        return copy
    }
}
