/// An effect the driver must carry out, in the order of the ordering contract on `RaftNode`.
public enum Output: Hashable, Sendable {
    /// Send this message to `message.to`. Loss, delay, duplication and reordering are all
    /// tolerated; sending to a crashed peer is fine.
    case send(Message)
    /// Make this change durable before any later `send` or `deliver` is performed.
    case persist(PersistentChange)
    /// The entry at `index` is committed: hand it to the application. Indexes arrive in order,
    /// without gaps, once per incarnation (a `.restore` moves them on to its snapshot).
    case deliver(index: Int, entry: Entry)
    /// Replace the application's state with this snapshot: it holds every entry through
    /// `snapshot.index`, and deliveries go on after it. Comes after a follower installed its
    /// leader's snapshot, and at a restart whose application state is older than the node's
    /// snapshot.
    case restore(Snapshot)
    /// (Re)arm this timer with a fresh duration (randomized for the election timer).
    case resetTimer(TimerKind)
    /// This proposal will not be appended; tell the client why.
    case rejectProposal(RequestID, ProposalRejection)
    /// A message from `from` was dropped as invalid (`InvalidMessage`): no correct peer sends
    /// it. Count it and tell the operator; nothing else changed.
    case dropMessage(from: NodeID, reason: InvalidMessage)
    /// Something worth recording happened (see `TraceEvent`).
    case trace(TraceEvent)
    /// The answer to `Input.changeMembership`: the new configuration is the log entry at
    /// `index` (in force now; the operator waits for its commit).
    case membershipChanged(MembershipChange, index: Int)
    /// The answer to `Input.changeMembership`: refused, and why.
    case membershipChangeRefused(MembershipChange, MembershipRefusal)
}

extension Output {
    /// Whether this is a `.persist`.
    public var isPersist: Bool { if case .persist = self { return true } else { return false } }
    /// Whether this is a `.persist` of new entries.
    public var isAppend: Bool { if case .persist(.append) = self { return true } else { return false } }
}

/// A change to the durable state.
public enum PersistentChange: Hashable, Sendable {
    /// Term and vote, always written together.
    case hardState(term: Term, votedFor: NodeID?)
    /// Entries written at `firstIndex ...` (everything from `firstIndex` on was truncated
    /// before, or is new).
    case append(firstIndex: Int, entries: [Entry])
    /// Keep the first `length` entries, drop the rest (never below the commit index).
    case truncate(length: Int)
    /// The commit index advanced to `index`.
    case commit(index: Int)
    /// Keep this snapshot as the latest (replacing an older one).
    case snapshot(Snapshot)
    /// Drop the log entries through `index` (of term `term`, covered by the latest
    /// snapshot); when the log is shorter than `index`, drop every entry: the log then starts
    /// after `index`. A log that holds another term at `index` is truncated before.
    case compact(through: Int, term: Term)
}

/// The two timers a node owns.
public enum TimerKind: String, Hashable, Sendable, CaseIterable {
    /// Fires when no leader was heard from for a (randomized) election timeout.
    case election
    /// Fires every heartbeat interval while leading.
    case heartbeat
}

/// Why a proposal was refused.
public enum ProposalRejection: Hashable, Sendable {
    /// Request id `0` is reserved for the protocol's own entries.
    case invalidRequestID
    /// The payload is larger than `ProtocolOptions.proposalPayloadBytesMax`.
    case payloadTooLarge(bytes: Int)
    /// No leader is known and `ProtocolOptions.bufferedProposalsMax` proposals already wait.
    case bufferFull
    /// The proposal bounced between nodes `RaftLimits.forwardHopsMax` times.
    case tooManyHops
    /// The leader holds `ProtocolOptions.uncommittedEntriesMax` uncommitted entries already.
    case tooManyUncommitted
    /// The request is already in the leader's log at this index.
    case duplicate(index: Int)
}
