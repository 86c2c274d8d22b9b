import RaftCheck
import RaftCore

/// Short names and summaries of network items, for buttons and the sequence diagram; the
/// model's full label stays the identity of an action.
enum ItemSummary {
    /// The message name: `VoteRequest`, `PreVoteRequest`, `VoteResponse`, `PreVoteResponse`,
    /// `LogRequest`, `LogResponse`, `Forward`, `ForwardRejected`, or `Propose` for a client proposal.
    static func name(of item: NetworkItem) -> String {
        switch item {
        case .clientRequest: return "Propose"
        case .message(let message):
            switch message.body {
            case .voteRequest(let request): return request.preVote ? "PreVoteRequest" : "VoteRequest"
            case .voteResponse(let response): return response.preVote ? "PreVoteResponse" : "VoteResponse"
            case .logRequest: return "LogRequest"
            case .logResponse: return "LogResponse"
            case .forward: return "Forward"
            case .forwardRejected: return "ForwardRejected"
            case .snapshotChunk: return "SnapshotChunk"
            case .snapshotResponse: return "SnapshotResponse"
            case .timeoutNow: return "TimeoutNow"
            }
        }
    }

    /// A few words: the name, the term and what matters most, e.g. `VoteResponse t1 ✓`,
    /// `LogRequest t1 +1 c0`, `LogResponse t1 ack 1`, `Propose "0"`.
    static func summary(of item: NetworkItem) -> String {
        let name = name(of: item)
        switch item {
        case .clientRequest(_, let proposal):
            return "\(name) \(Labels.payload(proposal.payload))"
        case .message(let message):
            let term = "t\(message.term)"
            switch message.body {
            case .voteRequest(let request):
                return "\(name) \(term) len \(request.logLength)"
            case .voteResponse(let response):
                return "\(name) \(term) \(response.granted ? "✓" : "✗")"
            case .logRequest(let request):
                let entries = request.suffix.isEmpty ? "♥" : "+\(request.suffix.count)"
                return "\(name) \(term) \(entries) c\(request.leaderCommit)"
            case .logResponse(let response):
                return response.success ? "\(name) \(term) ack \(response.ack)"
                    : "\(name) \(term) ✗ hint \(response.conflictHint)\(response.conflictTerm == 0 ? "" : " t\(response.conflictTerm)")"
            case .forward(let forward):
                return "\(name) \(term) ×\(forward.proposals.count)"
            case .forwardRejected(let rejected):
                return "\(name) \(term) ×\(rejected.rejections.count)"
            case .snapshotChunk(let chunk):
                return "\(name) \(term) @\(chunk.index) \(chunk.offset)+\(chunk.bytes.count)/\(chunk.totalBytes)"
            case .timeoutNow:
                return "\(name) \(term)"
            case .snapshotResponse(let response):
                return "\(name) \(term) @\(response.index) \(response.installed ? "✓" : "\(response.receivedBytes) B")"
            }
        }
    }

    /// The sender, or `nil` for a client proposal.
    static func sender(of item: NetworkItem) -> NodeID? {
        if case .message(let message) = item { return message.from }
        return nil
    }
}
