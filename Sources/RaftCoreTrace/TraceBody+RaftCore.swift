import RaftCore
import RaftTrace

/// How RaftCore's outputs become trace lines: one place, so every driver (the simulated
/// runs here, the node runtime) writes the same schema.
extension TraceBody {
    /// The trace body for a core trace event.
    public init(_ event: TraceEvent) {
        switch event {
        case .started(let lastIndex, let commitIndex, let votedFor):
            self = .start(logLength: lastIndex, commitIndex: commitIndex, votedFor: votedFor)
        case .termChanged(let from):
            self = .term(from: from)
        case .roleChanged(let from, let to):
            self = .role(TraceRole(to), previous: TraceRole(from))
        case .voted(let candidate, let granted, let preVote):
            self = .vote(candidate: candidate, granted: granted, preVote: preVote)
        case .voteIgnoredInLease(let candidate):
            self = .voteIgnoredInLease(candidate: candidate)
        case .becameLeader(let lastIndex, let lastTerm):
            self = .leader(lastIndex: lastIndex, lastTerm: lastTerm)
        case .proposed(let request, let index):
            self = .propose(request: request, index: index)
        case .forwarded(let count, let to):
            self = .forward(count: count, to: to)
        case .buffered(let count):
            self = .buffered(count: count)
        case .proposalRejected(let request, let reason):
            let (text, index) = TraceBody.reasonText(reason)
            self = .proposalRejected(request: request, reason: text, index: index)
        case .appended(let firstIndex, let entries):
            self = .append(index: firstIndex, entryTerms: entries.map(\.term), digests: entries.map(\.digest))
        case .truncated(let length):
            self = .truncate(length: length)
        case .committed(let index):
            self = .commit(index: index)
        case .delivered(let index, let entry):
            self = .deliver(index: index, entryTerm: entry.term, digest: entry.digest, request: entry.request)
        case .lostQuorum(let heardFrom):
            self = .lostQuorum(heardFrom: heardFrom)
        case .messageDropped(let from, let reason):
            self = .invalidMessage(from: from, reason: reason.rawValue)
        case .snapshotTaken(let index, let term, let bytes, let compactedThrough):
            self = .snapshot(index: index, entryTerm: term, bytes: bytes, compacted: compactedThrough)
        case .snapshotInstalled(let index, let term, let bytes):
            self = .install(index: index, entryTerm: term, bytes: bytes)
        case .transferStarted(let target):
            self = .transfer(to: target, aborted: false)
        case .transferAborted(let target):
            self = .transfer(to: target, aborted: true)
        case .configurationChanged(let index, let configuration):
            self = .member(index: index, voters: Array(configuration.voters), learners: Array(configuration.learners))
        }
    }

    /// The `reason` text (and `index`) of a refused proposal.
    public static func reasonText(_ reason: ProposalRejection) -> (String, Int?) {
        if case .duplicate(let index) = reason { return (reason.name, index) }
        return (reason.name, nil)
    }
}

extension TraceRole {
    /// The trace spelling of a core role.
    public init(_ role: Role) {
        switch role {
        case .follower: self = .follower
        case .preCandidate: self = .preCandidate
        case .candidate: self = .candidate
        case .leader: self = .leader
        }
    }
}

extension TraceMessageKind {
    /// The `msg` of a core message.
    public init(_ body: Message.Body) {
        switch body {
        case .voteRequest: self = .voteRequest
        case .voteResponse: self = .voteResponse
        case .logRequest: self = .logRequest
        case .logResponse: self = .logResponse
        case .forward: self = .forward
        case .forwardRejected: self = .forwardRejected
        case .snapshotChunk: self = .snapshotChunk
        case .snapshotResponse: self = .snapshotResponse
        case .timeoutNow: self = .timeoutNow
        }
    }
}
