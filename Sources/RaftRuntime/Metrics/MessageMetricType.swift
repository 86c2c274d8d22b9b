import RaftCore

/// The `type` label of `raft_messages_sent_total` and `raft_messages_received_total`: the
/// message kinds an operator tells apart (heartbeats from appends, pre-votes from votes).
enum MessageMetricType: Int, CaseIterable {
    case voteRequest, voteResponse, preVoteRequest, preVoteResponse
    case append, heartbeat, appendResponse, forward, forwardRejected, snapshotChunk, snapshotResponse, timeoutNow

    /// The kind of `body`.
    init(_ body: Message.Body) {
        switch body {
        case .voteRequest(let request): self = request.preVote ? .preVoteRequest : .voteRequest
        case .voteResponse(let response): self = response.preVote ? .preVoteResponse : .voteResponse
        case .logRequest(let request): self = request.suffix.isEmpty ? .heartbeat : .append
        case .logResponse: self = .appendResponse
        case .forward: self = .forward
        case .forwardRejected: self = .forwardRejected
        case .snapshotChunk: self = .snapshotChunk
        case .snapshotResponse: self = .snapshotResponse
        case .timeoutNow: self = .timeoutNow
        }
    }

    /// The label value.
    var label: String {
        switch self {
        case .voteRequest: "vote_request"
        case .voteResponse: "vote_response"
        case .preVoteRequest: "pre_vote_request"
        case .preVoteResponse: "pre_vote_response"
        case .append: "append"
        case .heartbeat: "heartbeat"
        case .appendResponse: "append_response"
        case .forward: "forward"
        case .forwardRejected: "forward_rejected"
        case .snapshotChunk: "snapshot_chunk"
        case .snapshotResponse: "snapshot_response"
        case .timeoutNow: "timeout_now"
        }
    }
}
