/// A message between two servers: who sent it, to whom, the sender's term, and the body.
public struct Message: Hashable, Sendable {
    /// Sender.
    public var from: NodeID
    /// Receiver.
    public var to: NodeID
    /// The sender's current term (for a pre-vote request: the term it would campaign in;
    /// for a granted pre-vote response: that same term echoed back).
    public var term: Term
    /// What the message says.
    public var body: Body

    /// A message from `from` to `to` in `term`.
    public init(from: NodeID, to: NodeID, term: Term, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }

    /// Whether this message asks something rather than answers.
    public var isRequest: Bool {
        switch body {
        case .voteRequest, .logRequest, .forward, .snapshotChunk, .timeoutNow: return true
        case .voteResponse, .logResponse, .forwardRejected, .snapshotResponse: return false
        }
    }

    /// The nine kinds of message: Kleppmann's four, forwarding of client proposals and the
    /// refusal of forwarded ones, a leader's snapshot sent in chunks with their answers, and
    /// a leader handing over leadership.
    public enum Body: Hashable, Sendable {
        case voteRequest(VoteRequest)
        case voteResponse(VoteResponse)
        case logRequest(LogRequest)
        case logResponse(LogResponse)
        case forward(Forward)
        case forwardRejected(ForwardRejected)
        case snapshotChunk(SnapshotChunk)
        case snapshotResponse(SnapshotResponse)
        /// A leader handing leadership over: campaign now, past any leader lease.
        case timeoutNow
    }
}

/// A candidate (or pre-candidate) asks for a vote, showing how up to date its log is.
public struct VoteRequest: Hashable, Sendable {
    /// Number of entries in the candidate's log.
    public var logLength: Int
    /// Term of the candidate's last entry (`0` when empty).
    public var lastLogTerm: Term
    /// A pre-vote asks "would you vote for me?" without anyone changing term.
    public var preVote: Bool
    /// Which campaign of the candidate asks: the answer echoes it, and only answers to the
    /// campaign in progress count.
    public var campaign: CampaignID
    /// The candidate campaigns because its leader handed leadership to it (`TimeoutNow`):
    /// voters answer it even while they hear from that leader (check-quorum's lease).
    public var transfer: Bool

    public init(logLength: Int, lastLogTerm: Term, preVote: Bool, campaign: CampaignID, transfer: Bool = false) {
        self.logLength = logLength
        self.lastLogTerm = lastLogTerm
        self.preVote = preVote
        self.campaign = campaign
        self.transfer = transfer
    }
}

/// The answer to a `VoteRequest`.
public struct VoteResponse: Hashable, Sendable {
    public var granted: Bool
    /// Echoes the request's kind.
    public var preVote: Bool
    /// Echoes the request's campaign.
    public var campaign: CampaignID

    public init(granted: Bool, preVote: Bool, campaign: CampaignID) {
        self.granted = granted
        self.preVote = preVote
        self.campaign = campaign
    }
}

/// A leader's log replication (an empty suffix is a heartbeat).
public struct LogRequest: Hashable, Sendable {
    /// Entries before the suffix that the follower must already hold.
    public var prefixLength: Int
    /// Term of the last prefix entry (`0` when the prefix is empty).
    public var prefixTerm: Term
    /// The leader's commit index.
    public var leaderCommit: Int
    /// Entries to place at `prefixLength + 1 ...`.
    public var suffix: [Entry]

    public init(prefixLength: Int, prefixTerm: Term, leaderCommit: Int, suffix: [Entry]) {
        self.prefixLength = prefixLength
        self.prefixTerm = prefixTerm
        self.leaderCommit = leaderCommit
        self.suffix = suffix
    }
}

/// A follower's answer to a `LogRequest`.
public struct LogResponse: Hashable, Sendable {
    /// On success, how many entries the follower now holds in agreement with the leader.
    public var ack: Int
    /// Whether the prefix matched and the suffix was stored.
    public var success: Bool
    /// On failure, a length up to which the follower may agree with the leader (the leader
    /// restarts replication at or below it); `0` on success.
    public var conflictHint: Int
    /// On failure with pipelining, the term of the follower's entry at `conflictHint` (`0`
    /// for an empty prefix, and without pipelining): the leader skips back past every entry
    /// of a later term at once (etcd's `findConflictByTerm`), so a follower with a long
    /// divergent log converges in about one round trip per term, not one per entry.
    public var conflictTerm: Term

    public init(ack: Int, success: Bool, conflictHint: Int, conflictTerm: Term = 0) {
        self.ack = ack
        self.success = success
        self.conflictHint = conflictHint
        self.conflictTerm = conflictTerm
    }
}

/// Client proposals passed from a node that is not leader to the node it believes leads.
public struct Forward: Hashable, Sendable {
    public var proposals: [Proposal]
    /// How many times these proposals were forwarded already (bounded by `RaftLimits.forwardHopsMax`).
    public var hops: Int

    public init(proposals: [Proposal], hops: Int) {
        self.proposals = proposals
        self.hops = hops
    }
}

/// Forwarded proposals a node refused, sent to the node whose client proposed them (each
/// proposal's `origin`), so the client hears at once instead of waiting out its timeout.
public struct ForwardRejected: Hashable, Sendable {
    /// Request ids and why each was refused.
    public var rejections: [Rejection]

    public init(rejections: [Rejection]) {
        self.rejections = rejections
    }

    /// One refused proposal.
    public struct Rejection: Hashable, Sendable {
        public var request: RequestID
        public var reason: ProposalRejection

        public init(request: RequestID, reason: ProposalRejection) {
            self.request = request
            self.reason = reason
        }
    }
}

/// Part of a leader's snapshot, for a follower that needs entries the leader dropped. Chunks
/// go one at a time, in order; the follower installs the snapshot when it holds all of it.
public struct SnapshotChunk: Hashable, Sendable {
    /// The snapshot's last index and its term.
    public var index: Int
    public var snapshotTerm: Term
    /// The configuration in force at `index`.
    public var configuration: Configuration
    /// Bytes of the whole snapshot.
    public var totalBytes: Int
    /// Where `bytes` start in the snapshot's data.
    public var offset: Int
    /// The chunk (at most `ProtocolOptions.snapshotChunkBytesMax`).
    public var bytes: [UInt8]

    public init(index: Int, snapshotTerm: Term, configuration: Configuration, totalBytes: Int, offset: Int, bytes: [UInt8]) {
        self.index = index
        self.snapshotTerm = snapshotTerm
        self.configuration = configuration
        self.totalBytes = totalBytes
        self.offset = offset
        self.bytes = bytes
    }

    /// Whether this chunk ends the snapshot.
    public var isLast: Bool { offset + bytes.count == totalBytes }
}

/// A follower's answer to a `SnapshotChunk`: how much of the snapshot at `index` it holds.
public struct SnapshotResponse: Hashable, Sendable {
    /// The snapshot's last index (echoed).
    public var index: Int
    /// Bytes of it the follower holds in order; the leader sends on from here (`0`: start over).
    public var receivedBytes: Int
    /// The follower installed it (or already held every entry through `index`): its log
    /// now matches the leader's through `index`.
    public var installed: Bool

    public init(index: Int, receivedBytes: Int, installed: Bool) {
        self.index = index
        self.receivedBytes = receivedBytes
        self.installed = installed
    }
}
